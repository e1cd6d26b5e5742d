/* Output writers: each is fed the same reports. */
#ifndef MEMTRACE_OUTPUT_H
#define MEMTRACE_OUTPUT_H

#include <stdio.h>

#include "model/report.h"

struct frame_report;
struct analysis_event;
struct group_totals;

struct output {
	void (*interval)(struct output *out, const struct process_report *report);
	void (*summary)(struct output *out, const struct process_report *report);
	void (*destroy)(struct output *out);
	/* Optional (NULL: not shown): a frame ended; an analysis event (output_events.h). */
	void (*frame)(struct output *out, const struct frame_report *frame);
	void (*event)(struct output *out, const struct analysis_event *event);
	/* The summary it is given carries every stack that allocated, not the --top ones. */
	bool all_stacks;
	/* Optional: every process of a poll has been reported (the live view redraws). */
	void (*poll_done)(struct output *out);
	/* The first stacks of an interval report (by live bytes) it wants symbolized. */
	size_t interval_stack_names;
	/* Optional: a scope's per-container totals of the poll (model/group_report.h), after its
	 * process lines. */
	void (*groups)(struct output *out, const struct group_totals *totals);
};

/* A table on f: a line per process and interval, then a summary per process. */
struct output *console_output__new(FILE *f);
/* NDJSON on f (closed by destroy when owns_file): schema in docs/json.md. interval_types:
 * Python types an interval line lists at most (--json-types), or JSON_TYPES_ALL; all_stacks:
 * the summary lists every stack with its frames in parts (--json-all-stacks). */
#define JSON_TYPES_ALL UINT32_MAX
struct output *json_output__new(FILE *f, bool owns_file, uint32_t interval_types,
				bool all_stacks);
/* --live: the processes on f redrawn in place after each poll (plain lines when f is no
 * terminal); keys: read keys (s, q) from stdin when it is a terminal. */
struct output *top_output__new(FILE *f, bool keys);
/* A gzip'd pprof heap profile per process, written at its summary: to path, or with
 * per_process to path.PID (docs/outputs.md). NULL with errno if path cannot be written. */
struct output *pprof_output__new(const char *path, bool per_process);
/* Collapsed stacks of live bytes (flamegraph.pl, inferno, speedscope) written to path when
 * the session ends (docs/outputs.md). NULL with errno if path cannot be written. */
struct output *folded_output__new(const char *path);
/* Every report as rows of an SQLite database at path (docs/sql.md). NULL, with a line said on
 * stderr, if path cannot be created or opened as one. */
struct output *sqlite_output__new(const char *path);
/* A self-contained HTML report (timeline, frames, type heatmap, flame graph, tables) written
 * to path when the session ends (docs/outputs.md). NULL with errno if path cannot be written. */
struct output *html_output__new(const char *path);

static inline void output__interval(struct output *out, const struct process_report *r)
{
	out->interval(out, r);
}

static inline void output__summary(struct output *out, const struct process_report *r)
{
	out->summary(out, r);
}

static inline void output__frame(struct output *out, const struct frame_report *f)
{
	if (out->frame)
		out->frame(out, f);
}

static inline void output__event(struct output *out, const struct analysis_event *ev)
{
	if (out->event)
		out->event(out, ev);
}

static inline void output__groups(struct output *out, const struct group_totals *t)
{
	if (out->groups)
		out->groups(out, t);
}

static inline void output__poll_done(struct output *out)
{
	if (out->poll_done)
		out->poll_done(out);
}

static inline void output__destroy(struct output *out)
{
	if (out)
		out->destroy(out);
}

#endif
