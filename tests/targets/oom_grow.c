/* Ground truth for the OOM moment (tests/e2e/test_oom.sh): prints "ready <pid>", reads one
 * line, then grow_until_killed() takes 1 MiB blocks from malloc, each touched, one every
 * 5 ms, saying "held N" after each, until its memory cgroup's OOM killer ends it. Without a
 * limit it stops at 1 GiB and says "not killed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handshake.h"

#define BLOCK (1 << 20)
#define MAX_BLOCKS 1024

void *volatile held[MAX_BLOCKS];

__attribute__((noinline)) void grow_until_killed(void)
{
	char line[32];

	for (int n = 0; n < MAX_BLOCKS; n++) {
		held[n] = malloc(BLOCK);
		memset(held[n], 1, BLOCK);
		snprintf(line, sizeof(line), "held %d\n", n + 1);
		say(line);
		usleep(5000);
	}
}

int main(void)
{
	say_ready();
	wait_line();
	grow_until_killed();
	say("not killed\n");
	wait_line();
	return 0;
}
