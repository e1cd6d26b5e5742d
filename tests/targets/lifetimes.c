/* Ground truth for lifetimes and pool hints (tests/e2e/test_lifetimes.sh). After "go":
 *   short_lived:  1000 x malloc(64), each freed at once             -> lifetimes ~0 (temporary)
 *   medium_lived: 100 x malloc(128), all freed after 50 ms           -> lifetimes ~50 ms
 *   never_freed:  10 x malloc(512), kept                             -> survivors
 *   pool_pattern: POOL_ITERATIONS x (two batches of POOL_PEAK malloc(256), each batch freed
 *                 before the next), POOL_ITERATIONS frames (end_frame
 *                 after each two batches)                            -> a pool: 256 B, peak 8,
 *                                                                       16 per frame
 * then "done", and exits when stdin closes. Only write(2): stdio would allocate. */
#include <malloc.h>
#include <stdlib.h>
#include <time.h>

#include "handshake.h"

#define SHORT_BLOCKS 1000
#define MEDIUM_BLOCKS 100
#define KEPT_BLOCKS 10
#define POOL_ITERATIONS 2000
#define POOL_PEAK 8

/* Externally visible so the compiler cannot drop the allocations. */
void *volatile short_block;
void *volatile medium[MEDIUM_BLOCKS];
void *volatile kept[KEPT_BLOCKS];
void *volatile pooled[POOL_PEAK];

__attribute__((noinline)) void short_lived(void)
{
	for (int i = 0; i < SHORT_BLOCKS; i++) {
		short_block = malloc(64);
		free(short_block);
	}
}

__attribute__((noinline)) void medium_lived(void)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };

	for (int i = 0; i < MEDIUM_BLOCKS; i++)
		medium[i] = malloc(128);
	nanosleep(&pause, NULL);
	for (int i = 0; i < MEDIUM_BLOCKS; i++)
		free(medium[i]);
}

__attribute__((noinline)) void never_freed(void)
{
	for (int i = 0; i < KEPT_BLOCKS; i++)
		kept[i] = malloc(512);
}

__attribute__((noinline)) void pool_batch(void)
{
	for (int i = 0; i < POOL_PEAK; i++)
		pooled[i] = malloc(256);
	for (int i = 0; i < POOL_PEAK; i++)
		free(pooled[i]);
}

/* --frame end_frame: a frame ends here (after main's other work, then each iteration). */
__attribute__((noinline)) void end_frame(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void pool_pattern(void)
{
	for (int i = 0; i < 2 * POOL_ITERATIONS; i++) {   /* one call site: one stack */
		pool_batch();
		if (i % 2)
			end_frame();
	}
}

int main(void)
{
	/* No brk, no trim and no mmap inside malloc during the measured window. */
	mallopt(M_TOP_PAD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	free(malloc(1));

	say_ready();
	wait_line();
	short_lived();
	medium_lived();
	never_freed();
	pool_pattern();
	say("done\n");
	wait_line();
	return 0;
}
