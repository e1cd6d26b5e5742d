/* Allocates and frees without pause, so that the tracer attaches while calls are in flight.
 * Prints "ready <pid>", then loops until stdin closes: malloc(64) + free, forever. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handshake.h"
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

	if (pthread_create(&watcher, NULL, watch_stdin, NULL))
		return 1;
	say_ready();
	for (;;) {
		last = malloc(64);
		free(last);
	}
}
