/* A native leak with a known onset, for the default mode's exact windows. Prints "ready
 * <pid>", waits for "go", then churns (malloc + free of a few sizes, nothing kept) and after
 * DELAY_MS starts keeping a BLOCK-byte block from leak_block() every PERIOD_US as well,
 * printing "leaking" at that moment. Runs until stdin closes.
 * Usage: leak_after_delay DELAY_MS BLOCK PERIOD_US */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "handshake.h"

void *volatile churned;

static void *watch_stdin(void *unused)
{
	char c;

	(void)unused;
	while (read(STDIN_FILENO, &c, 1) == 1)
		;
	_exit(0);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Allocated and freed at once: never a leak. */
__attribute__((noinline)) static void churn_blocks(void)
{
	for (size_t size = 32; size <= 4096; size *= 2) {
		churned = malloc(size);
		free(churned);
	}
}

/* Kept for good, touched so that RSS grows with it. */
__attribute__((noinline)) static void leak_block(size_t size)
{
	char *block = malloc(size);

	if (block)
		memset(block, 0xab, size);
}

int main(int argc, char **argv)
{
	pthread_t watcher;
	uint64_t delay_us, period_us, start, next_leak;
	size_t block;
	int leaking = 0;

	if (argc != 4)
		return 2;
	delay_us = strtoull(argv[1], NULL, 10) * 1000;
	block = strtoull(argv[2], NULL, 10);
	period_us = strtoull(argv[3], NULL, 10);
	say_ready();
	wait_line();
	if (pthread_create(&watcher, NULL, watch_stdin, NULL))   /* after "go": both read stdin */
		return 1;
	start = now_us();
	next_leak = start + delay_us;
	for (;;) {
		uint64_t now = now_us();

		churn_blocks();
		if (now >= next_leak) {
			if (!leaking) {
				say("leaking\n");
				leaking = 1;
			}
			leak_block(block);
			next_leak += period_us;
		}
		usleep(100);
	}
}
