/* The file of an output written when the session ends (--folded, --html): opened at start, so
 * that a path that cannot be written is said before anything is traced. */
#ifndef MEMTRACE_OUTPUT_FILE_H
#define MEMTRACE_OUTPUT_FILE_H

#include <stdio.h>

struct output_file {
	FILE *f;
	char *path;
};

/* 0, or -1 with errno (the path cannot be opened for writing, or no memory). */
int output_file__open(struct output_file *of, const char *path);
/* Closes it and says on stderr, once, why it could not be written: err (an error the writer
 * met, 0: none), a write error, or the close's. */
void output_file__close(struct output_file *of, int err);

#endif
