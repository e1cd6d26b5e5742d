/* Ground truth for budgets and drift (tests/e2e/test_analysis.sh): holds known native memory.
 * Protocol (as alloc_exact.c): prints "ready <pid>", then reads commands, one a line, and
 * answers each with "done":
 *   hold N SIZE   N x malloc(SIZE) from hold_blocks(), each touched (RSS grows by N x SIZE)
 *   release       frees every held block (each is its own mapping: RSS drops back)
 *   exit          frees every held block and exits at once, with no "done" (as an
 *                 interpreter's shutdown frees what it held)
 * It exits when stdin closes. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handshake.h"
#define MAX_BLOCKS 4096

void *held[MAX_BLOCKS];
int held_count;

__attribute__((noinline)) void hold_blocks(int n, size_t size)
{
	for (int i = 0; i < n && held_count < MAX_BLOCKS; i++) {
		held[held_count] = malloc(size);
		memset(held[held_count++], 1, size);
	}
}

__attribute__((noinline)) void release_blocks(void)
{
	while (held_count)
		free(held[--held_count]);
}

int main(void)
{
	char line[128];
	size_t size;
	int n;

	/* Blocks of 64 KiB and more are mmapped, and unmapped when freed: RSS follows them. */
	mallopt(M_MMAP_THRESHOLD, 64 << 10);
	setvbuf(stdin, NULL, _IONBF, 0);
	say_ready();
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "hold %d %zu", &n, &size) == 2)
			hold_blocks(n, size);
		else if (!strncmp(line, "release", 7))
			release_blocks();
		else if (!strncmp(line, "exit", 4))
			return release_blocks(), 0;
		say("done\n");
	}
	return 0;
}
