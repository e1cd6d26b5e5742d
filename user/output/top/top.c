// SPDX-License-Identifier: GPL-2.0
/* --live: a view of every traced process redrawn in place after each poll, like top
 * (docs/outputs.md). Plain blocks of lines when stdout is not a terminal. */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/console/console_sections.h"
#include "output/output.h"
#include "output/top/screen.h"
#include "output/type_rank.h"
#include "util/grow.h"

#define TOP_STACKS 3
#define TOP_TYPES 5

struct top_type {
	char name[64];
	uint64_t live;
	int64_t change;              /* since the previous report */
};

struct top_row {
	pid_t pid;
	char comm[32];
	bool exited, native_traced, approximate;
	uint64_t elapsed_ns, live_bytes, live_allocs, rss_bytes;
	double growth_per_s;         /* live bytes over the last interval */
	bool python;
	bool objects_known;
	uint64_t objects;
	struct top_type types[TOP_TYPES];
	size_t type_count;
	char stacks[TOP_STACKS][160];
	size_t stack_count;
	unsigned leaks, spikes;
	char last_event[200];
};

enum top_sort { SORT_LIVE, SORT_GROWTH };

struct top_output {
	struct output base;
	struct screen screen;
	struct top_row *rows;
	size_t count, capacity;
	struct type_history *history;
	enum top_sort sort;
	uint64_t elapsed_ns;         /* the longest traced, for the header */
};

static struct top_row *row_of(struct top_output *t, pid_t pid)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->rows[i].pid == pid)
			return &t->rows[i];
	if (grow_for_one((void **)&t->rows, &t->capacity, t->count, sizeof(*t->rows)))
		return NULL;
	t->rows[t->count] = (struct top_row){ .pid = pid };
	return &t->rows[t->count++];
}

/* "hold_blocks < main < __libc_start_call_main": the functions, without offsets or modules. */
static void stack_line(const struct stack_report *s, char *buf, size_t size)
{
	char bytes[32];
	int n = snprintf(buf, size, "%10s  ", console_bytes((double)s->live_bytes, bytes,
							     sizeof(bytes)));

	for (size_t f = 0; f < s->depth && f < 4 && n > 0 && (size_t)n < size; f++) {
		size_t name = strcspn(s->frames[f], "+ ");

		n += snprintf(buf + n, size - (size_t)n, "%s%.*s", f ? " < " : "", (int)name,
			      s->frames[f]);
	}
}

static void update_stacks(struct top_row *row, const struct process_report *r)
{
	row->stack_count = 0;
	for (size_t i = 0; i < r->stack_count && row->stack_count < TOP_STACKS; i++)
		if (r->stacks[i].depth && stack_report__live(&r->stacks[i]))
			stack_line(&r->stacks[i], row->stacks[row->stack_count++], sizeof(row->stacks[0]));
}

/* The types that changed most (the most live at the first report). */
static void update_types(struct top_output *t, struct top_row *row, const struct python_report *py)
{
	size_t *order = malloc((py->type_count + 1) * sizeof(*order));
	int64_t *change = calloc(py->type_count + 1, sizeof(*change));
	int ranked = order && change ? type_history__rank(t->history, row->pid, py, order, change)
				     : -1;

	row->type_count = 0;
	for (size_t k = 0; ranked >= 0 && k < py->type_count && k < TOP_TYPES; k++) {
		size_t i = ranked ? order[k] : k;

		snprintf(row->types[k].name, sizeof(row->types[k].name), "%s", py->types[i].name);
		row->types[k].live = py->types[i].has_live ? py->types[i].live : 0;
		row->types[k].change = ranked ? change[i] : 0;
		row->type_count++;
	}
	free(order);
	free(change);
}

static void update_row(struct top_output *t, const struct process_report *r, bool summary)
{
	struct top_row *row = row_of(t, r->pid);
	const struct native_totals *d = &r->native_delta;

	if (!row)
		return;
	snprintf(row->comm, sizeof(row->comm), "%s", r->comm);
	row->exited = r->exited;
	row->native_traced = r->native_traced;
	row->elapsed_ns = r->elapsed_ns;
	row->live_bytes = native_live_bytes(&r->native);
	row->live_allocs = native_live_allocs(&r->native);
	row->approximate = native_live_approximate(&r->native);
	row->rss_bytes = r->rss_bytes;
	if (!summary && r->interval_ns)
		row->growth_per_s = ((double)(d->bytes_allocated - d->bytes_dropped) -
				     (double)d->bytes_freed) / (r->interval_ns / 1e9);
	if (r->elapsed_ns > t->elapsed_ns)
		t->elapsed_ns = r->elapsed_ns;
	update_stacks(row, r);
	row->python = r->python != NULL;
	if (r->python) {
		row->objects_known = r->python->objects_known;
		row->objects = r->python->objects;
		if (!summary)
			update_types(t, row, r->python);
	}
}

static int by_live(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->exited != y->exited)
		return x->exited ? 1 : -1;
	return x->live_bytes < y->live_bytes ? 1 : x->live_bytes > y->live_bytes ? -1 : 0;
}

static int by_growth(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->exited != y->exited)
		return x->exited ? 1 : -1;
	return x->growth_per_s < y->growth_per_s ? 1 : x->growth_per_s > y->growth_per_s ? -1 :
	       by_live(a, b);
}

static void write_row(FILE *f, const struct top_row *row)
{
	char live[32], bytes[32], rss[32], growth[32], objects[24];

	if (row->native_traced)
		snprintf(growth, sizeof(growth), "%s%s/s", row->growth_per_s > 0 ? "+" : "",
			 console_bytes(row->growth_per_s, live, sizeof(live)));
	else
		snprintf(growth, sizeof(growth), "-");
	snprintf(objects, sizeof(objects), row->objects_known ? "%" PRIu64 : "-", row->objects);
	if (row->native_traced)
		snprintf(live, sizeof(live), "%s", row->approximate ? ">=" : "");
	else
		snprintf(live, sizeof(live), "-");
	fprintf(f, "%-8d %-15s %2s%10s %11" PRIu64 " %14s %10s %10s  %s%s%s\n", row->pid,
		row->comm, live, row->native_traced ? console_bytes((double)row->live_bytes, bytes,
		sizeof(bytes)) : "", row->live_allocs, growth,
		console_bytes((double)row->rss_bytes, rss, sizeof(rss)), objects,
		row->leaks ? "LEAK " : "", row->spikes ? "SPIKE " : "",
		row->exited ? "exited" : "");
	for (size_t i = 0; i < row->stack_count; i++)
		fprintf(f, "  %-7s %s\n", i ? "" : "stacks", row->stacks[i]);
	if (row->type_count) {
		fprintf(f, "  types  ");
		for (size_t i = 0; i < row->type_count; i++)
			fprintf(f, "%s %s %" PRIu64 " (%+" PRId64 ")", i ? "," : "",
				row->types[i].name, row->types[i].live, row->types[i].change);
		fputc('\n', f);
	}
	if (row->last_event[0])
		fprintf(f, "  last   %s (leaks %u, spikes %u)\n", row->last_event, row->leaks,
			row->spikes);
}

/* The whole view as text, each process sorted by the chosen key. */
static char *render(struct top_output *t)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	qsort(t->rows, t->count, sizeof(*t->rows), t->sort == SORT_LIVE ? by_live : by_growth);
	fprintf(f, "memtrace-bpf --live  %.1f s  %zu process%s  sorted by %s%s\n",
		t->elapsed_ns / 1e9, t->count, t->count == 1 ? "" : "es", t->sort == SORT_LIVE ? "live bytes" : "growth",
		t->screen.keys ? "  (s: sort, q: quit)" : "");
	fprintf(f, "%-8s %-15s %12s %11s %14s %10s %10s  %s\n", "PID", "COMM", "LIVE",
		"LIVE ALLOCS", "GROWTH", "RSS", "PY OBJECTS", "MARKS");
	for (size_t i = 0; i < t->count; i++)
		write_row(f, &t->rows[i]);
	fclose(f);
	return text;
}

static void redraw(struct top_output *t)
{
	char *text = render(t);

	if (text)
		screen__draw(&t->screen, text);
	free(text);
}

static void top_interval(struct output *out, const struct process_report *r)
{
	update_row((struct top_output *)out, r, false);
}

static void top_summary(struct output *out, const struct process_report *r)
{
	struct top_output *t = (struct top_output *)out;

	update_row(t, r, true);
	type_history__forget(t->history, r->pid);
}

static void top_event(struct output *out, const struct analysis_event *ev)
{
	struct top_row *row = row_of((struct top_output *)out, ev->pid);
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	if (!row)
		return;
	row->leaks += ev->type == EVENT_LEAK;
	row->spikes += ev->type == EVENT_SPIKE;
	/* The console's words for it, on one line without its "! " mark. */
	f = open_memstream(&text, &size);
	if (!f)
		return;
	console_write_event(f, ev);
	fclose(f);
	snprintf(row->last_event, sizeof(row->last_event), "%.*s", (int)strcspn(text + 2, "\n"),
		 text + 2);
	free(text);
}

static void top_poll_done(struct output *out)
{
	struct top_output *t = (struct top_output *)out;

	for (int key; (key = screen__key(&t->screen));) {
		if (key == 's')
			t->sort = t->sort == SORT_LIVE ? SORT_GROWTH : SORT_LIVE;
		else if (key == 'q')
			kill(getpid(), SIGINT);   /* the session ends as on Ctrl-C */
	}
	redraw(t);
}

/* The terminal is given back, then the last view stays on it as plain lines. */
static void top_destroy(struct output *out)
{
	struct top_output *t = (struct top_output *)out;
	screen__close(&t->screen);
	redraw(t);
	type_history__free(t->history);
	free(t->rows);
	free(t);
}

struct output *top_output__new(FILE *f, bool keys)
{
	struct top_output *t = calloc(1, sizeof(*t));

	if (!t || !(t->history = type_history__new())) {
		free(t);
		return NULL;
	}
	t->base = (struct output){ .interval = top_interval, .summary = top_summary,
				   .destroy = top_destroy, .event = top_event,
				   .poll_done = top_poll_done, .interval_stack_names = TOP_STACKS };
	screen__open(&t->screen, f, keys);
	return &t->base;
}
