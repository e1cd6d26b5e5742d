/* Ground truth for tests/e2e/test_reliability.sh. Modes (argv[1]):
 *   churn       mixed malloc/calloc/realloc/free with computed output, the same on every run
 *   flood N     N x malloc(16) kept; "done"; after a second line frees them all, "freed"
 *   fork        1000 x malloc(64) kept; a child makes 500 x malloc(64) and exits; "done"
 *   forkwait    as fork, but the child first waits for a line on stdin (a follower attaches)
 *   exec PROG   100 x malloc(32) kept, then execs PROG (no arguments)
 * Protocol: "ready PID" once set up, one line on stdin to start, "done" after, exit when stdin
 * closes. Only write(2): stdio would allocate. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "handshake.h"
void *volatile *kept;

static void churn(void)
{
	unsigned long x = 2463534242ul, sum = 0;
	unsigned char *slots[256] = { 0 };
	char line[96];

	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 10000; i++) {
			unsigned s = (x ^= x << 13, x ^= x >> 17, x ^= x << 5) % 256;
			size_t n = 1 + x % 3000;

			if (x & 1) {
				unsigned char *p = realloc(slots[s], n);

				if (!p)
					continue;
				slots[s] = p;
			} else {
				free(slots[s]);
				slots[s] = (x & 2) ? calloc(1, n) : malloc(n);
				if (!slots[s])
					continue;
			}
			for (size_t k = 0; k < n; k += 64)
				slots[s][k] = (unsigned char)(k + i);
			sum += slots[s][0] + n;
		}
		snprintf(line, sizeof(line), "round %d sum %lu\n", round, sum);
		say(line);
	}
	for (int s = 0; s < 256; s++)
		free(slots[s]);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "churn";
	long n = argc > 2 ? atol(argv[2]) : 0;

	mallopt(M_TOP_PAD, 64 << 20);
	free(malloc(1));
	kept = calloc(n > 1000 ? (size_t)n : 1000, sizeof(void *));
	say_ready();
	wait_line();
	if (!strcmp(mode, "churn")) {
		churn();
	} else if (!strcmp(mode, "flood")) {
		for (long i = 0; i < n; i++)
			kept[i] = malloc(16);
		say("done\n");
		wait_line();
		for (long i = 0; i < n; i++)
			free(kept[i]);
		say("freed\n");
	} else if (!strcmp(mode, "fork") || !strcmp(mode, "forkwait")) {
		pid_t child;

		for (int i = 0; i < 1000; i++)
			kept[i] = malloc(64);
		child = fork();
		if (child == 0) {
			if (!strcmp(mode, "forkwait"))
				wait_line();
			for (int i = 0; i < 500; i++)
				kept[i] = malloc(64);
			_exit(0);
		}
		waitpid(child, NULL, 0);
	} else if (!strcmp(mode, "exec") && argc > 2) {
		for (int i = 0; i < 100; i++)
			kept[i] = malloc(32);
		execl(argv[2], argv[2], (char *)NULL);
		_exit(127);
	}
	say("done\n");
	wait_line();
	return 0;
}
