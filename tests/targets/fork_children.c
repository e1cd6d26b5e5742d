/* Ground truth for -f: a pre-fork server that recycles its workers. After "go" it forks N
 * workers (argv[1], default 100), at most 5 alive at once. Worker i waits 300 ms (the
 * tracer attaches to it meanwhile), makes exactly 10 + i malloc(512) calls, frees none,
 * says "child PID COUNT" and exits at once (_exit: nothing freed on the way out). The
 * parent allocates nothing after "go" and says "done" when every worker is reaped. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "handshake.h"

#define ALIVE_AT_ONCE 5

void *volatile kept[256];

__attribute__((noinline)) static void worker(int index)
{
	const struct timespec attach_time = { .tv_nsec = 300000000 };
	char line[64];
	int count = 10 + index;

	nanosleep(&attach_time, NULL);
	for (int i = 0; i < count; i++)
		kept[i] = malloc(512);
	snprintf(line, sizeof(line), "child %d %d\n", (int)getpid(), count);
	say(line);
	_exit(0);
}

int main(int argc, char **argv)
{
	int workers = argc > 1 ? atoi(argv[1]) : 100, alive = 0;

	say_ready();
	wait_line();
	for (int i = 0; i < workers; i++) {
		pid_t pid;

		if (alive == ALIVE_AT_ONCE && wait(NULL) > 0)
			alive--;
		pid = fork();
		if (pid == 0)
			worker(i);
		if (pid > 0)
			alive++;
	}
	while (wait(NULL) > 0)
		;
	say("done\n");
	wait_line();
	return 0;
}
