/* The handshake every ground-truth target speaks with tests/e2e/lib.sh: "ready <pid>" once set
 * up, one line read ("go") before the measured work, "done" after it. Only write(2) and a
 * stack buffer: stdio would allocate, and these programs count their allocations. */
#ifndef MEMTRACE_TARGET_HANDSHAKE_H
#define MEMTRACE_TARGET_HANDSHAKE_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static inline void say(const char *text)
{
	if (write(STDOUT_FILENO, text, strlen(text)) < 0)
		_exit(1);
}

static inline void say_ready(void)
{
	char line[32];

	snprintf(line, sizeof(line), "ready %d\n", (int)getpid());
	say(line);
}

static inline void wait_line(void)
{
	char c;

	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
		;
}

#endif
