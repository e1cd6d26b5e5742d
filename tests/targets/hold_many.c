/* Ground truth for the outstanding map (tests/e2e/test_outstanding_map.sh): N small blocks live
 * at once, then all freed. Block i asks for 16 + 8 * (i % 4) bytes: N / 4 of each of 16, 24,
 * 32 and 40 bytes, 28 * N bytes in all (N a multiple of 4 * THREADS).
 * THREADS (default 0) > 0: that many threads, created before "ready" (creating one allocates),
 * allocate N / THREADS blocks each; the main thread frees them all.
 * Protocol: "ready PID", a line to allocate, "done" when all N are live, a line to free,
 * "freed"; exit at stdin's end. Only write(2) after ready: stdio would allocate. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "handshake.h"

static void *volatile *held;
static long per_thread;
static pthread_barrier_t start, finished;

static void allocate_share(long share)
{
	long first = share * per_thread;

	for (long i = 0; i < per_thread; i++)
		held[first + i] = malloc(16 + 8 * (i % 4));
}

static void *allocating_thread(void *share)
{
	pthread_barrier_wait(&start);
	allocate_share((long)share);
	pthread_barrier_wait(&finished);
	/* An exiting thread frees its malloc cache (a free the tracer would see): stay. */
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	int threads = argc > 2 ? atoi(argv[2]) : 0;
	pthread_t tid;

	if (threads < 0 || threads > 64 || n <= 0 || n % (4 * (threads ? threads : 1))) {
		fprintf(stderr, "usage: hold_many N [THREADS] (N a multiple of 4 * THREADS)\n");
		return 2;
	}
	per_thread = n / (threads ? threads : 1);
	/* malloc's first call binds its PLT entry: before attach, or its probes may not see it. */
	free(malloc(1));
	/* Not malloc: the array is no block of the program's. */
	held = mmap(NULL, n * sizeof(void *), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (held == MAP_FAILED)
		return 1;
	pthread_barrier_init(&start, NULL, threads + 1);
	pthread_barrier_init(&finished, NULL, threads + 1);
	for (int t = 0; t < threads; t++)
		pthread_create(&tid, NULL, allocating_thread, (void *)(long)t);
	say_ready();
	wait_line();
	if (threads) {
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&finished);
	} else {
		allocate_share(0);
	}
	say("done\n");
	wait_line();
	for (long i = 0; i < n; i++)
		free(held[i]);
	say("freed\n");
	wait_line();
	return 0;
}
