/* Allocates and frees without pause, so that the tracer attaches while calls are in flight.
 * Prints "ready <pid>", then loops until stdin closes: malloc(64) + free, forever. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *volatile last;

static void *watch_stdin(void *unused)
{
	char c;

	(void)unused;
	while (read(STDIN_FILENO, &c, 1) == 1)
		;
	_exit(0);
}

int main(void)
{
	pthread_t watcher;
	char line[64];

	if (pthread_create(&watcher, NULL, watch_stdin, NULL))
		return 1;
	snprintf(line, sizeof(line), "ready %d\n", (int)getpid());
	if (write(STDOUT_FILENO, line, strlen(line)) < 0)
		return 1;
	for (;;) {
		last = malloc(64);
		free(last);
	}
}
