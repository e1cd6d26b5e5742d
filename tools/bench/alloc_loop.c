/* Benchmark workload: a malloc/free-heavy C loop over several size classes, with a little
 * work on each block. Protocol: prints "ready PID", waits for a line on stdin, runs, prints
 * "elapsed SECONDS allocs N", waits for stdin to close. ITERS (argv[1]) sets the length. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 4096

void *volatile slots[SLOTS];
volatile unsigned long sink;

/* A "frame" every FRAME_ITERS iterations (~40 per second here), for `--frame frame_end`. */
#define FRAME_ITERS 5000

__attribute__((noinline)) void frame_end(unsigned long frame)
{
	__asm__ volatile("" : : "r"(frame) : "memory");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void wait_line(void)
{
	char c;

	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
		;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 16, 24, 48, 64, 128, 256, 512, 1024, 4096, 32768 };
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	unsigned long allocs = 0, x = 88172645463325252ull;
	double t0;

	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	wait_line();
	t0 = now();
	for (unsigned long i = 0; i < iters; i++) {
		unsigned idx, slot;
		unsigned char *p;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;        /* xorshift: a repeatable mix */
		idx = x % (sizeof(sizes) / sizeof(sizes[0]));
		slot = (x >> 16) % SLOTS;
		free(slots[slot]);
		p = malloc(sizes[idx]);
		allocs++;
		/* Touch the block and do some arithmetic: a program, not just an allocator loop. */
		memset(p, (int)i, sizes[idx] < 256 ? sizes[idx] : 256);
		for (int k = 0; k < 1600; k++)
			sink += p[k % sizes[idx]] * (unsigned long)k;
		slots[slot] = p;
		if (i % FRAME_ITERS == FRAME_ITERS - 1)
			frame_end(i / FRAME_ITERS);
	}
	printf("elapsed %.4f allocs %lu\n", now() - t0, allocs);
	fflush(stdout);
	wait_line();
	return 0;
}
