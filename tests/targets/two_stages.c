/* Ground truth for hierarchical budgets (tests/e2e/test_budget_tree.sh): two functions that
 * hold known native memory, as two stages of a program would. Prints "ready <pid>", then reads
 * commands, one a line, and answers each with "done":
 *   parse N SIZE    N x malloc(SIZE) from parse_blocks(), each touched
 *   render N SIZE   the same from render_blocks()
 *   release         frees every held block
 * It exits when stdin closes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake.h"

#define MAX_BLOCKS 4096

void *volatile held[MAX_BLOCKS];
int held_count;

static void hold(int n, size_t size)
{
	for (int i = 0; i < n && held_count < MAX_BLOCKS; i++) {
		held[held_count] = malloc(size);
		memset(held[held_count++], 1, size);
	}
}

/* Each stage's own frame on its blocks' stacks (hold() may be inlined into both). */
__attribute__((noinline)) void parse_blocks(int n, size_t size)
{
	hold(n, size);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void render_blocks(int n, size_t size)
{
	hold(n, size);
	__asm__ volatile("" ::: "memory");
}

int main(void)
{
	char line[128];
	size_t size;
	int n;

	setvbuf(stdin, NULL, _IONBF, 0);
	say_ready();
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "parse %d %zu", &n, &size) == 2)
			parse_blocks(n, size);
		else if (sscanf(line, "render %d %zu", &n, &size) == 2)
			render_blocks(n, size);
		else if (!strncmp(line, "release", 7))
			while (held_count)
				free(held[--held_count]);
		say("done\n");
	}
	return 0;
}
