/* A Python stack as the outputs show it: plain data. */
#ifndef MEMTRACE_MODEL_PYTHON_STACK_H
#define MEMTRACE_MODEL_PYTHON_STACK_H

#include <stdbool.h>
#include <stddef.h>

struct python_frame {
	char function[160];          /* qualified name where the version has one (3.11+) */
	char file[512];
	int line;                    /* -1: unknown */
};

struct python_stack {
	struct python_frame *frames; /* innermost first */
	size_t depth;
	bool truncated;              /* frames beyond the walk's depth were cut */
};

#endif
