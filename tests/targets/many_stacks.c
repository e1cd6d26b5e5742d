/* Ground truth for stack ids: 2^LEVELS allocations of 32 bytes, each from a stack of its own.
 * branch() recurses LEVELS times through one of two call sites chosen by a bit of the path,
 * so every path is a distinct chain of return addresses (LEVELS + 2 frames, within the 32
 * kept). With 131072 stacks and ids of 31 bits, about 4 pairs of stacks share an id.
 * Protocol as alloc_exact.c: "ready <pid>", reads "go", allocates, prints "done". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handshake.h"
#define LEVELS 17

void *volatile *kept;
static unsigned long nkept;

/* Two call sites per level; the different work after each keeps them apart. */
__attribute__((noinline)) int branch(int level, unsigned long path)
{
	if (level == 0) {
		kept[nkept++] = malloc(32);
		return 0;
	}
	if (path & 1)
		return branch(level - 1, path >> 1) + 1;
	return branch(level - 1, path >> 1) + 2;
}

int main(void)
{
	kept = calloc(1ul << LEVELS, sizeof(*kept));
	if (!kept)
		return 1;
	say_ready();
	wait_line();
	for (unsigned long path = 0; path < (1ul << LEVELS); path++)
		branch(LEVELS, path);
	say("done\n");
	wait_line();
	return 0;
}
