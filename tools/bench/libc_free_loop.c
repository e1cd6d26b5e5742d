/* Probe-placement benchmark: glibc malloc(64) + free in a tight loop, ITERS (argv[1]) times.
 * Protocol as alloc_loop.c; prints "ns_per_iter X". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void *volatile p;

static void wait_line(void)
{
	char c;

	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
		;
}

int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	struct timespec a, b;
	char line[64];

	snprintf(line, sizeof(line), "ready %d\n", (int)getpid());
	if (write(1, line, strlen(line)) < 0)
		return 1;
	wait_line();
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (unsigned long i = 0; i < iters; i++) {
		p = malloc(64);
		free(p);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	snprintf(line, sizeof(line), "ns_per_iter %.1f\n",
		 ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / iters);
	if (write(1, line, strlen(line)) < 0)
		return 1;
	wait_line();
	return 0;
}
