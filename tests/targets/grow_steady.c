/* Ground truth for the forecast (tests/e2e/test_forecast.sh): grows at a known rate by the
 * clock. grow_steady MIB_PER_S MAX_MIB: prints "ready <pid>", waits for a line, then every
 * 10 ms touches 256 KiB blocks until it holds MIB_PER_S x the time since the line (its RSS
 * grows at that rate whatever the scheduling), up to MAX_MIB; prints "full" there and holds
 * everything until stdin closes. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake.h"

#define BLOCK (256u << 10)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const struct timespec tick = { 0, 10 * 1000000L };
	double rate, start;
	size_t max, held = 0;

	if (argc != 3 || (rate = atof(argv[1]) * (1 << 20)) <= 0 || atoi(argv[2]) <= 0)
		return 2;
	max = (size_t)atoi(argv[2]) << 20;
	mallopt(M_MMAP_THRESHOLD, 128 << 10);   /* each block its own mapping: RSS follows */
	say_ready();
	wait_line();
	start = now_s();
	while (held < max) {
		while (held < max && held < rate * (now_s() - start)) {
			void *volatile block = malloc(BLOCK);

			memset(block, 1, BLOCK);
			held += BLOCK;
		}
		nanosleep(&tick, NULL);
	}
	say("full\n");
	wait_line();
	return 0;
}
