/* The HTML report's data, kept per process until the session ends (html.c), and the parts
 * of the page written from it (page.c, charts.c, flame.c). */
#ifndef MEMTRACE_OUTPUT_HTML_H
#define MEMTRACE_OUTPUT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* One interval report: the timeline's x is elapsed time since attach. */
struct html_point {
	uint64_t elapsed_ns;
	uint64_t rss_bytes;
	bool native_known;
	uint64_t live_bytes;
	bool objects_known;
	uint64_t objects;
};

enum html_mark_kind { MARK_SPIKE, MARK_LEAK, MARK_GC, MARK_BUDGET, MARK_DRIFT, MARK_KINDS };

/* Something that happened at a moment, marked on the timeline. */
struct html_mark {
	enum html_mark_kind kind;
	uint64_t elapsed_ns;
	uint64_t frame;              /* a spike in a frame: its seq; 0: none */
	char label[400];
};

struct html_frame {
	uint64_t seq;
	uint64_t start_ns;           /* CLOCK_MONOTONIC (attach_ns may come later) */
	uint64_t duration_ns;
	bool native_known;
	uint64_t bytes_allocated;
	bool dropped;
};

/* A Python type's live count from one interval on (the heatmap's cells): kept only where it
 * changed, or the type came or went (live HTML_UNKNOWN: not in that interval's report). */
#define HTML_UNKNOWN UINT64_MAX

struct html_cell {
	uint32_t point, type;
	uint64_t live;
};

struct html_type {
	char name[64];
	uint64_t last;               /* its latest count kept */
	bool present;                /* in the latest interval's report */
	uint32_t seen_at;            /* that interval's point */
};

/* A table of text cells, written escaped. */
struct html_table {
	const char *title;
	const char *const *columns;
	size_t column_count;
	char **cells;                /* row-major */
	size_t row_count, cap;
};

struct flame_node {
	char *name;
	bool python;
	uint64_t bytes;
	struct flame_node *children;
	size_t child_count, child_cap;
};

struct html_process {
	pid_t pid;
	char comm[32];
	uint64_t attach_ns;
	bool summarized;
	uint64_t elapsed_ns;
	uint64_t peak_live_bytes, rss_bytes, native_live_bytes;
	bool native_known;
	char python_version[24];
	struct html_point *points;
	size_t point_count, point_cap;
	struct html_mark *marks;
	size_t mark_count, mark_cap;
	struct html_frame *frames;
	size_t frame_count, frame_cap;
	uint64_t frames_left_out;    /* beyond HTML_FRAMES_MAX */
	struct html_type *types;
	size_t type_count, type_cap;
	struct html_cell *cells;
	size_t cell_count, cell_cap;
	struct flame_node flame;     /* root: the process */
	struct html_table leaks, drift, budgets, spikes;
};

#define HTML_FRAMES_MAX 200000

/* Text with &, <, >, " and ' escaped (and control bytes dropped). */
void html_escape(FILE *f, const char *text);
/* "1.5 MiB" */
void html_bytes(char *buf, size_t size, double bytes);

/* flame.c: adds a stack (names root first) holding bytes; frees the tree; writes it. */
int flame__add(struct flame_node *root, const char *const *names, const bool *python,
	       size_t depth, uint64_t bytes);
void flame__free(struct flame_node *node);
void flame__write(FILE *f, struct flame_node *root, int id);

/* charts.c */
void charts__timeline(FILE *f, const struct html_process *p);
void charts__frames(FILE *f, const struct html_process *p);
void charts__heatmap(FILE *f, const struct html_process *p);

/* page.c */
int html_table__add_row(struct html_table *t, const char *const *cells);
void html_table__free(struct html_table *t);
void page__write(FILE *f, struct html_process *const *procs, size_t count);

#endif
