/* Ground truth for --pprof and --folded (tests/e2e/test_profiles.sh): allocations of known
 * counts and sizes under known functions, along known call chains.
 * Protocol (as alloc_exact.c): prints "ready <pid>", reads one line, allocates, prints
 * "done", and exits when stdin closes:
 *   main -> outer -> middle -> leak_half   4000 x malloc(1024), every other one freed
 *   main -> leak_twice                     1000 x malloc(512) at each of two call sites
 *   main -> churn                          2000 x malloc(256), all freed */
#include <malloc.h>
#include <stdlib.h>

#include "handshake.h"

void *volatile halves[4000];
void *volatile twice[2][1000];
void *volatile churned[2000];

__attribute__((noinline)) void leak_half(void)
{
	for (int i = 0; i < 4000; i++)
		halves[i] = malloc(1024);
	for (int i = 0; i < 4000; i += 2)
		free(halves[i]);
}

__attribute__((noinline)) void middle(void)
{
	leak_half();
}

__attribute__((noinline)) void outer(void)
{
	middle();
}

/* Two call sites, two stacks: pprof sums them under the function, --folded into one line. */
__attribute__((noinline)) void leak_twice(void)
{
	for (int i = 0; i < 1000; i++)
		twice[0][i] = malloc(512);
	for (int i = 0; i < 1000; i++)
		twice[1][i] = malloc(512);
}

__attribute__((noinline)) void churn(void)
{
	for (int i = 0; i < 2000; i++)
		churned[i] = malloc(256);
	for (int i = 0; i < 2000; i++)
		free(churned[i]);
}

int main(void)
{
	/* No trim or mmap inside malloc while it runs (as alloc_exact.c). */
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	free(malloc(1));

	say_ready();
	wait_line();
	outer();
	leak_twice();
	churn();
	say("done\n");
	wait_line();
	return 0;
}
