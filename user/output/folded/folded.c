// SPDX-License-Identifier: GPL-2.0
/* Collapsed ("folded") stacks of live bytes, the input of flamegraph.pl, inferno and
 * speedscope: "comm;outermost;...;innermost BYTES" a line; docs/outputs.md. Kept until the
 * session ends, then written once: stacks that read the same (two call sites in one function,
 * two processes of one program) become one line. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"
#include "output/output_file.h"
#include "python_stack.h"
#include "util/grow.h"

struct folded_stack {
	char *stack;
	uint64_t bytes;
};

struct folded_output {
	struct output base;
	struct output_file file;
	struct folded_stack *stacks;
	size_t count, cap;
	bool failed;                 /* out of memory: the file would be short */
};

/* A name as one frame of a line: ';' separates frames and a newline ends the line, so a ';'
 * becomes ':' and a control byte '?'. */
static void append_frame(char *line, size_t size, size_t *len, const char *name)
{
	if (*len && *len + 1 < size)
		line[(*len)++] = ';';
	for (; *name && *len + 1 < size; name++) {
		unsigned char c = (unsigned char)*name;

		line[(*len)++] = c == ';' ? ':' : c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	line[*len] = 0;
}

/* A frame's function name alone (the offset would split one function into many boxes);
 * without a symbol, the symbolizer's "module+0xoff" or address. */
static const char *frame_name(const struct stack_report *st, size_t f)
{
	if (st->parts && st->parts[f].function)
		return st->parts[f].function;
	return st->frames[f] ? st->frames[f] : "[unknown]";
}

static void folded_interval(struct output *out, const struct process_report *r)
{
	(void)out;
	(void)r;
}

static void folded_summary(struct output *out, const struct process_report *r)
{
	struct folded_output *o = (struct folded_output *)out;
	char line[(ALLOC_MAX_STACK_DEPTH + PY_STACK_MAX_DEPTH) * 256], name[700];

	for (size_t i = 0; i < r->stack_count; i++) {
		const struct stack_report *st = &r->stacks[i];
		size_t len = 0;

		if (!st->live_bytes)
			continue;
		append_frame(line, sizeof(line), &len, r->comm);
		/* The Python code that ran (root first), then the native frames it called. */
		for (size_t f = st->python.depth; f-- > 0;) {
			const struct python_frame *py = &st->python.frames[f];
			const char *base = strrchr(py->file, '/');

			snprintf(name, sizeof(name), "%s (%s:%d)", py->function, base ? base + 1 : py->file,
				 py->line);
			append_frame(line, sizeof(line), &len, name);
		}
		if (!st->depth)
			append_frame(line, sizeof(line), &len, "[unknown]");
		for (size_t f = st->depth; f-- > 0;)   /* root first */
			append_frame(line, sizeof(line), &len, frame_name(st, f));
		if (grow_for_one((void **)&o->stacks, &o->cap, o->count, sizeof(*o->stacks)) ||
		    !(o->stacks[o->count].stack = strdup(line))) {
			o->failed = true;
			return;
		}
		o->stacks[o->count++].bytes = st->live_bytes;
	}
}

static int by_stack(const void *a, const void *b)
{
	return strcmp(((const struct folded_stack *)a)->stack,
		      ((const struct folded_stack *)b)->stack);
}

static void folded_destroy(struct output *out)
{
	struct folded_output *o = (struct folded_output *)out;
	int err = o->failed ? ENOMEM : 0;

	if (o->count)
		qsort(o->stacks, o->count, sizeof(*o->stacks), by_stack);
	for (size_t i = 0; i < o->count; i++) {
		uint64_t bytes = o->stacks[i].bytes;

		while (i + 1 < o->count && !strcmp(o->stacks[i].stack, o->stacks[i + 1].stack)) {
			free(o->stacks[i].stack);
			bytes += o->stacks[++i].bytes;
		}
		fprintf(o->file.f, "%s %" PRIu64 "\n", o->stacks[i].stack, bytes);
		free(o->stacks[i].stack);
	}
	output_file__close(&o->file, err);
	free(o->stacks);
	free(o);
}

struct output *folded_output__new(const char *path)
{
	struct folded_output *o = calloc(1, sizeof(*o));

	if (!o || output_file__open(&o->file, path)) {
		int saved = o ? errno : ENOMEM;

		free(o);
		errno = saved;
		return NULL;
	}
	o->base = (struct output){ .interval = folded_interval, .summary = folded_summary,
				   .destroy = folded_destroy, .all_stacks = true };
	return &o->base;
}
