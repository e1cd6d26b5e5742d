/* The terminal of the live view (user/output/top/): the alternate screen, keys without
 * Enter, and putting both back. */
#ifndef MEMTRACE_TOP_SCREEN_H
#define MEMTRACE_TOP_SCREEN_H

#include <stdbool.h>
#include <stdio.h>
#include <termios.h>

struct screen {
	FILE *f;
	bool tty;                    /* f is a terminal: redraw in place; else plain lines */
	bool keys;                   /* stdin is a terminal we read keys from */
	struct termios saved;        /* stdin's settings, put back at the end */
};

/* keys: read keys from stdin (not when a launched command shares that terminal). */
void screen__open(struct screen *s, FILE *f, bool keys);
/* Writes text (lines ending in '\n') as the whole screen: in place on a terminal, cut to
 * its size; else as it is, followed by a blank line. */
void screen__draw(struct screen *s, const char *text);
/* A key pressed since the last call, or 0. */
int screen__key(struct screen *s);
/* Leaves the alternate screen and puts stdin's settings back. */
void screen__close(struct screen *s);

#endif
