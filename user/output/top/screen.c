// SPDX-License-Identifier: GPL-2.0
#include "output/top/screen.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define ENTER_ALTERNATE "\033[?1049h\033[?25l"  /* alternate screen, cursor hidden */
#define LEAVE_ALTERNATE "\033[?25h\033[?1049l"
#define HOME "\033[H"
#define CLEAR_TO_EOL "\033[K"
#define CLEAR_BELOW "\033[J"

void screen__open(struct screen *s, FILE *f, bool keys)
{
	*s = (struct screen){ .f = f, .tty = isatty(fileno(f)) };
	if (!s->tty)
		return;
	fputs(ENTER_ALTERNATE, f);
	fflush(f);
	if (keys && isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &s->saved)) {
		struct termios raw = s->saved;

		/* Keys without Enter and unechoed; Ctrl-C still signals (ISIG stays). */
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		s->keys = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
}

static void screen_size(FILE *f, int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (!ioctl(fileno(f), TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

void screen__draw(struct screen *s, const char *text)
{
	int rows, cols, row = 0;

	if (!s->tty) {
		fprintf(s->f, "%s\n", text);
		fflush(s->f);
		return;
	}
	screen_size(s->f, &rows, &cols);
	fputs(HOME, s->f);
	/* The last row stays empty: a newline there would scroll the screen. */
	for (const char *line = text; *line && row < rows - 1; row++) {
		const char *end = strchr(line, '\n');
		int len = end ? (int)(end - line) : (int)strlen(line);

		fprintf(s->f, "%.*s" CLEAR_TO_EOL "\n", len < cols ? len : cols, line);
		line = end ? end + 1 : line + len;
	}
	fputs(CLEAR_BELOW, s->f);
	fflush(s->f);
}

int screen__key(struct screen *s)
{
	unsigned char c;

	if (!s->keys)
		return 0;
	return read(STDIN_FILENO, &c, 1) == 1 ? c : 0;
}

void screen__close(struct screen *s)
{
	if (s->keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &s->saved);
	s->keys = false;
	if (s->tty) {
		fputs(LEAVE_ALTERNATE, s->f);
		fflush(s->f);
	}
	s->tty = false;
}
