/* Ground truth for stack capture: known call chains, every block kept live.
 * - chain: main -> level_a -> level_b -> level_c -> alloc_chain, 100 x malloc(1000)
 * - recursion: recurse(d) for d = 1..20 allocates 10 x malloc(2000) at the bottom: 20
 *   distinct stacks (one per depth), each 10 blocks
 * - deep: recurse(60) allocates 5 x malloc(3000): deeper than the 32 frames kept, so the
 *   stack holds the innermost 32 frames
 * Protocol as alloc_exact.c: "ready <pid>", reads "go", allocates, prints "done". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handshake.h"
void *volatile kept[400];
static int nkept;

__attribute__((noinline)) void alloc_chain(void)
{
	for (int i = 0; i < 100; i++)
		kept[nkept++] = malloc(1000);
}

__attribute__((noinline)) void level_c(void) { alloc_chain(); __asm__ volatile(""); }
__attribute__((noinline)) void level_b(void) { level_c(); __asm__ volatile(""); }
__attribute__((noinline)) void level_a(void) { level_b(); __asm__ volatile(""); }

/* Not a tail call (the work after it), so each level keeps its frame. */
__attribute__((noinline)) int recurse(int depth, int count, size_t size)
{
	if (depth == 0) {
		for (int i = 0; i < count; i++)
			kept[nkept++] = malloc(size);
		return 0;
	}
	return recurse(depth - 1, count, size) + 1;
}

int main(void)
{
	say_ready();
	wait_line();
	level_a();
	for (int d = 1; d <= 20; d++)
		recurse(d, 10, 2000);
	recurse(60, 5, 3000);
	say("done\n");
	wait_line();
	return 0;
}
