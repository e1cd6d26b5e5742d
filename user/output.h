/* Output writers: each is fed the same reports. */
#ifndef MEMTRACE_OUTPUT_H
#define MEMTRACE_OUTPUT_H

#include <stdio.h>

#include "report.h"

struct output {
	void (*interval)(struct output *out, const struct process_report *report);
	void (*summary)(struct output *out, const struct process_report *report);
	void (*destroy)(struct output *out);
};

/* A table on f: a line per process and interval, then a summary per process. */
struct output *console_output__new(FILE *f);
/* NDJSON on f (closed by destroy when owns_file): schema in docs/json.md. */
struct output *json_output__new(FILE *f, bool owns_file);

static inline void output__interval(struct output *out, const struct process_report *r)
{
	out->interval(out, r);
}

static inline void output__summary(struct output *out, const struct process_report *r)
{
	out->summary(out, r);
}

static inline void output__destroy(struct output *out)
{
	if (out)
		out->destroy(out);
}

#endif
