/* Ground truth for the fragmentation finding (tests/e2e/test_fragmentation.sh).
 * fragment_heap MODE ROUNDS PERIOD_MS: prints "ready <pid>", waits for a line, then makes
 * ROUNDS rounds, one each PERIOD_MS, of 250 blocks of 8 KiB + 256 B x round (touched) one
 * after the other from the brk heap:
 *   fragment  shrinks each block in place to a 32-byte pin (realloc): glibc frees its tail, a
 *             hole between two live pins that no later (larger) block fits, so the heap and
 *             RSS grow ~2 MiB a round while live bytes grow 8 KiB
 *   leak      keeps them whole: live bytes and the heap grow together
 * After each round it prints glibc's own view, "round K arena=A free=F top=T" (mallinfo2:
 * main arena bytes, free bytes in it, its top chunk), and after the last "done"; then it holds
 * everything until stdin closes. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake.h"

#define PAIRS 250
#define BLOCK_BASE 8192
#define BLOCK_STEP 256
#define PIN_SIZE 32
#define MAX_ROUNDS 64

void *volatile blocks[MAX_ROUNDS][PAIRS];

__attribute__((noinline)) void fragment_round(int round, int keep)
{
	size_t size = BLOCK_BASE + (size_t)BLOCK_STEP * round;

	for (int i = 0; i < PAIRS; i++) {
		blocks[round][i] = malloc(size);
		memset(blocks[round][i], 1, size);
	}
	/* After all of them: each tail freed lies between its pin and the next block. */
	for (int i = 0; i < PAIRS && !keep; i++)
		blocks[round][i] = realloc(blocks[round][i], PIN_SIZE);
}

static void report(int round)
{
	struct mallinfo2 mi = mallinfo2();
	char line[160];

	snprintf(line, sizeof(line), "round %d arena=%zu free=%zu top=%zu\n", round, mi.arena,
		 mi.fordblks, mi.keepcost);
	say(line);
}

int main(int argc, char **argv)
{
	int keep, rounds, period_ms;
	struct timespec period;

	if (argc != 4 || (strcmp(argv[1], "fragment") && strcmp(argv[1], "leak")))
		return 2;
	keep = !strcmp(argv[1], "leak");
	rounds = atoi(argv[2]);
	period_ms = atoi(argv[3]);
	if (rounds < 1 || rounds > MAX_ROUNDS || period_ms < 0)
		return 2;
	period = (struct timespec){ period_ms / 1000, (period_ms % 1000) * 1000000L };
	/* Every block from the brk heap, and a threshold that does not move as blocks are freed. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	say_ready();
	wait_line();
	for (int r = 0; r < rounds; r++) {
		fragment_round(r, keep);
		report(r);
		nanosleep(&period, NULL);
	}
	say("done\n");
	wait_line();
	return 0;
}
