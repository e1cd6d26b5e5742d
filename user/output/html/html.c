// SPDX-License-Identifier: GPL-2.0
/* --html: every report kept per process, then one self-contained page written when the
 * session ends (docs/outputs.md). Nothing on the page is fetched when it is viewed. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/analysis_events.h"
#include "output/html/html.h"
#include "output/output.h"
#include "output/output_file.h"
#include "util/grow.h"

struct html_output {
	struct output base;
	struct output_file file;
	struct html_process **procs;
	size_t count, cap;
	bool failed;                 /* out of memory: the page would be short */
};

static const char *const leak_columns[] = { "kind", "name", "severity", "growth/s", "live",
					     "stack" };
static const char *const drift_columns[] = { "metric", "baseline", "current", "change",
					      "relative" };
static const char *const budget_columns[] = { "budget", "state", "value", "limit", "excess",
					       "peak", "since (s)" };
static const char *const spike_columns[] = { "at (s)", "frame / interval", "bytes",
					      "baseline", "ratio", "top stack", "Python" };

#define COLUMNS(a) (sizeof(a) / sizeof((a)[0]))

static struct html_process *process_of(struct html_output *o, pid_t pid, const char *comm)
{
	struct html_process *p;

	for (size_t i = 0; i < o->count; i++)
		if (o->procs[i]->pid == pid && !o->procs[i]->summarized)
			return o->procs[i];
	if (grow_for_one((void **)&o->procs, &o->cap, o->count, sizeof(*o->procs)) ||
	    !(p = calloc(1, sizeof(*p)))) {
		o->failed = true;
		return NULL;
	}
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm ? comm : "?");
	p->leaks = (struct html_table){ .title = "Leaks", .columns = leak_columns,
					   .column_count = COLUMNS(leak_columns) };
	p->drift = (struct html_table){ .title = "Drift", .columns = drift_columns,
					   .column_count = COLUMNS(drift_columns) };
	p->budgets = (struct html_table){ .title = "Budgets", .columns = budget_columns,
					   .column_count = COLUMNS(budget_columns) };
	p->spikes = (struct html_table){ .title = "Spikes", .columns = spike_columns,
					   .column_count = COLUMNS(spike_columns) };
	o->procs[o->count++] = p;
	return p;
}

static void add_mark(struct html_output *o, struct html_process *p, enum html_mark_kind kind,
		     uint64_t elapsed_ns, const char *label)
{
	if (grow_for_one((void **)&p->marks, &p->mark_cap, p->mark_count, sizeof(*p->marks))) {
		o->failed = true;
		return;
	}
	p->marks[p->mark_count] = (struct html_mark){ .kind = kind, .elapsed_ns = elapsed_ns };
	snprintf(p->marks[p->mark_count++].label, sizeof(p->marks[0].label), "%s", label);
}

static uint32_t type_index(struct html_output *o, struct html_process *p, const char *name)
{
	for (size_t i = 0; i < p->type_count; i++)
		if (!strcmp(p->types[i].name, name))
			return (uint32_t)i;
	if (grow_for_one((void **)&p->types, &p->type_cap, p->type_count, sizeof(*p->types))) {
		o->failed = true;
		return UINT32_MAX;
	}
	p->types[p->type_count] = (struct html_type){ .last = HTML_UNKNOWN };
	snprintf(p->types[p->type_count].name, sizeof(p->types[0].name), "%s", name);
	return (uint32_t)p->type_count++;
}

static void add_cell(struct html_output *o, struct html_process *p, uint32_t point,
		     uint32_t type, uint64_t live)
{
	if (grow_for_one((void **)&p->cells, &p->cell_cap, p->cell_count, sizeof(*p->cells))) {
		o->failed = true;
		return;
	}
	p->cells[p->cell_count++] = (struct html_cell){ point, type, live };
	p->types[type].last = live;
}

/* The census as changes: a long run of a stable heap keeps few cells. py NULL: no census
 * in this interval. */
static void keep_types(struct html_output *o, struct html_process *p,
		       const struct python_report *py, uint32_t point)
{
	for (size_t i = 0; py && i < py->type_count; i++) {
		const struct python_type_report *t = &py->types[i];
		uint32_t type;

		if (!t->has_live || (type = type_index(o, p, t->name)) == UINT32_MAX)
			continue;
		if (p->types[type].last != t->live)
			add_cell(o, p, point, type, t->live);
		p->types[type].present = true;
		p->types[type].seen_at = point;
	}
	for (size_t type = 0; type < p->type_count; type++)
		if (p->types[type].present && p->types[type].seen_at != point) {
			p->types[type].present = false;
			add_cell(o, p, point, (uint32_t)type, HTML_UNKNOWN);
		}
}

/* An interval's collections as one mark (a busy interpreter collects hundreds a second),
 * counted from the interpreter's statistics where read: the events list a sample. */
static void keep_gc(struct html_output *o, struct html_process *p, const struct python_report *py)
{
	uint64_t by_generation[3] = { 0 }, runs = 0;
	char label[96];

	if (!py->gc_event_count)
		return;
	for (int g = 0; g < 3; g++)
		by_generation[g] = py->gc_known ? py->gc_collections[g] : 0;
	for (size_t i = 0; !py->gc_known && i < py->gc_event_count; i++)
		if (py->gc_events[i].generation >= 0 && py->gc_events[i].generation < 3)
			by_generation[py->gc_events[i].generation]++;
	runs = py->gc_known ? by_generation[0] + by_generation[1] + by_generation[2] :
			      py->gc_event_count;
	snprintf(label, sizeof(label), "%" PRIu64 " GC run%s (generation 0: %" PRIu64 ", 1: %"
		 PRIu64 ", 2: %" PRIu64 ")", runs, runs == 1 ? "" : "s",
		 by_generation[0], by_generation[1], by_generation[2]);
	add_mark(o, p, MARK_GC, py->gc_events[0].start_ns > p->attach_ns ?
		 py->gc_events[0].start_ns - p->attach_ns : 0, label);
}

static void html_interval(struct output *out, const struct process_report *r)
{
	struct html_output *o = (struct html_output *)out;
	struct html_process *p = process_of(o, r->pid, r->comm);
	const struct python_report *py = r->python;

	if (!p || grow_for_one((void **)&p->points, &p->point_cap, p->point_count,
			       sizeof(*p->points))) {
		o->failed = true;
		return;
	}
	p->attach_ns = r->attach_ns;
	snprintf(p->comm, sizeof(p->comm), "%s", r->comm);
	p->points[p->point_count] = (struct html_point){
		.elapsed_ns = r->elapsed_ns, .rss_bytes = r->rss_bytes,
		.native_known = r->native_traced, .live_bytes = native_live_bytes(&r->native),
		.objects_known = py && py->objects_known, .objects = py ? py->objects : 0,
	};
	keep_types(o, p, py, (uint32_t)p->point_count);
	if (py) {
		snprintf(p->python_version, sizeof(p->python_version), "%s", py->version);
		keep_gc(o, p, py);
	}
	p->point_count++;
}

/* Root first: the Python code that ran, then the native frames it called (as --folded). */
static void keep_stack(struct html_output *o, struct html_process *p, const struct stack_report *st)
{
	size_t depth = st->python.depth + (st->depth ? st->depth : 1), n = 0;
	const char **names = calloc(depth, sizeof(*names));
	char **owned = calloc(st->python.depth + 1, sizeof(*owned));
	bool *python = calloc(depth, sizeof(*python));

	if (!names || !owned || !python)
		goto fail;
	for (size_t f = st->python.depth; f-- > 0;) {
		const struct python_frame *py = &st->python.frames[f];
		const char *base = strrchr(py->file, '/');
		size_t len = strlen(py->function) + strlen(py->file) + 32;

		if (!(owned[f] = malloc(len)))
			goto fail;
		snprintf(owned[f], len, "%s (%s:%d)", py->function, base ? base + 1 : py->file,
			 py->line);
		python[n] = true;
		names[n++] = owned[f];
	}
	if (!st->depth)
		names[n++] = "[unknown]";
	for (size_t f = st->depth; f-- > 0;)
		names[n++] = st->parts && st->parts[f].function ? st->parts[f].function :
			     st->frames[f] ? st->frames[f] : "[unknown]";
	if (flame__add(&p->flame, names, python, n, st->live_bytes))
		o->failed = true;
	goto done;
fail:
	o->failed = true;
done:
	for (size_t f = 0; owned && f < st->python.depth; f++)
		free(owned[f]);
	free(owned);
	free(names);
	free(python);
}

static void add_row(struct html_output *o, struct html_table *t, const char *const *cells)
{
	if (html_table__add_row(t, cells))
		o->failed = true;
}

static void keep_leak(struct html_output *o, struct html_process *p, const struct analysis_event *e)
{
	char growth[48], live[48], stack[1024] = "";
	size_t len = 0;

	if (e->python_type) {
		snprintf(growth, sizeof(growth), "%.1f objects", e->growth_per_s);
		snprintf(live, sizeof(live), "%.0f objects", e->live);
	} else {
		html_bytes(growth, sizeof(growth), e->growth_per_s);
		html_bytes(live, sizeof(live), e->live);
	}
	for (size_t f = 0; f < e->depth && len + 1 < sizeof(stack); f++)
		len += (size_t)snprintf(stack + len, sizeof(stack) - len, "%s%s", f ? " ← " : "",
					e->stack[f] ? e->stack[f] : "?");
	if (e->python_stack && e->python_stack->depth && len + 1 < sizeof(stack))
		snprintf(stack + len, sizeof(stack) - len, " ← %s (%s:%d)",
			 e->python_stack->frames[0].function, e->python_stack->frames[0].file,
			 e->python_stack->frames[0].line);
	add_row(o, &p->leaks, (const char *const[]){
		e->python_type ? "Python type" : "native stack", e->name,
		leak_severity_name(e->severity), growth, live, stack });
}

static void keep_analysis(struct html_output *o, struct html_process *p,
			  const struct analysis_summary *s)
{
	char a[48], b[48], c[48], d[48], e[48], g[48], h[48];

	for (size_t i = 0; i < s->leak_count; i++)
		keep_leak(o, p, &s->leaks[i]);
	for (size_t i = 0; i < s->drift_count; i++) {
		const struct analysis_event *ev = &s->drift[i];

		snprintf(a, sizeof(a), "%.6g", ev->baseline);
		snprintf(b, sizeof(b), "%.6g", ev->current);
		snprintf(c, sizeof(c), "%+.6g", ev->change);
		snprintf(d, sizeof(d), "%+.1f%%", ev->rel * 100);
		add_row(o, &p->drift, (const char *const[]){ ev->metric, a, b, c, d });
	}
	for (size_t i = 0; i < s->budget_count; i++) {
		const struct analysis_event *ev = &s->budgets[i];

		snprintf(a, sizeof(a), "%.6g", ev->value);
		snprintf(b, sizeof(b), "%.6g", ev->limit);
		snprintf(c, sizeof(c), "%.6g", ev->excess);
		snprintf(d, sizeof(d), "%.6g", ev->peak);
		snprintf(e, sizeof(e), "%.1f", ev->since_s);
		add_row(o, &p->budgets, (const char *const[]){ ev->budget, ev->state, a, b, c, d,
							      e });
	}
	for (size_t i = 0; i < s->spike_count; i++) {
		const struct analysis_event *ev = &s->spikes[i];

		snprintf(a, sizeof(a), "%.3f", ev->elapsed_ns / 1e9);
		snprintf(b, sizeof(b), "%s %" PRIu64, ev->in_frame ? "frame" : "interval", ev->seq);
		html_bytes(c, sizeof(c), ev->bytes);
		html_bytes(g, sizeof(g), ev->baseline_bytes);
		snprintf(h, sizeof(h), "%.1f×", ev->ratio);
		add_row(o, &p->spikes, (const char *const[]){ a, b, c, g, h, ev->top,
							     ev->top_python });
	}
}

static void html_summary(struct output *out, const struct process_report *r)
{
	struct html_output *o = (struct html_output *)out;
	struct html_process *p = process_of(o, r->pid, r->comm);

	if (!p)
		return;
	snprintf(p->comm, sizeof(p->comm), "%s", r->comm);
	p->attach_ns = r->attach_ns;
	p->elapsed_ns = r->elapsed_ns;
	p->rss_bytes = r->rss_bytes;
	p->native_known = r->native_traced;
	p->native_live_bytes = native_live_bytes(r->last_running ? r->last_running : &r->native);
	p->peak_live_bytes = r->peak.live_bytes;
	if (r->python)
		snprintf(p->python_version, sizeof(p->python_version), "%s", r->python->version);
	if (!(p->flame.name = strdup(r->comm))) {
		o->failed = true;
		return;
	}
	for (size_t i = 0; i < r->stack_count; i++)
		if (r->stacks[i].live_bytes)
			keep_stack(o, p, &r->stacks[i]);
	if (r->analysis)
		keep_analysis(o, p, r->analysis);
	p->summarized = true;
}

static void html_frame(struct output *out, const struct frame_report *f)
{
	struct html_output *o = (struct html_output *)out;
	struct html_process *p = process_of(o, f->pid, NULL);

	if (!p)
		return;
	if (p->frame_count >= HTML_FRAMES_MAX) {
		p->frames_left_out++;
		return;
	}
	if (grow_for_one((void **)&p->frames, &p->frame_cap, p->frame_count, sizeof(*p->frames))) {
		o->failed = true;
		return;
	}
	p->frames[p->frame_count++] = (struct html_frame){
		.seq = f->seq, .start_ns = f->start_ns,
		.duration_ns = f->end_ns > f->start_ns ? f->end_ns - f->start_ns : 0,
		.native_known = f->native_known, .bytes_allocated = f->bytes_allocated,
		.dropped = f->dropped,
	};
}

static void html_event(struct output *out, const struct analysis_event *e)
{
	struct html_output *o = (struct html_output *)out;
	struct html_process *p = process_of(o, e->pid, NULL);
	char label[sizeof(p->marks[0].label) - 8], bytes[48];

	if (!p)
		return;
	switch (e->type) {
	case EVENT_SPIKE:
		html_bytes(bytes, sizeof(bytes), e->bytes);
		snprintf(label, sizeof(label), "spike: %s %" PRIu64 ", %s%s%s",
			 e->in_frame ? "frame" : "interval", e->seq, bytes, e->top[0] ? " in " : "",
			 e->top);
		add_mark(o, p, MARK_SPIKE, e->elapsed_ns, label);
		if (e->in_frame && p->mark_count)
			p->marks[p->mark_count - 1].frame = e->seq;
		break;
	case EVENT_LEAK:
		snprintf(label, sizeof(label), "leak (%s): %s", leak_severity_name(e->severity),
			 e->name);
		add_mark(o, p, MARK_LEAK, e->elapsed_ns, label);
		break;
	case EVENT_BUDGET:
		snprintf(label, sizeof(label), "budget %s %s", e->budget, e->state ? e->state : "");
		add_mark(o, p, MARK_BUDGET, e->elapsed_ns, label);
		break;
	case EVENT_DRIFT:
		snprintf(label, sizeof(label), "drift: %s %+.1f%%", e->metric, e->rel * 100);
		add_mark(o, p, MARK_DRIFT, e->elapsed_ns, label);
		break;
	case EVENT_FRAGMENTATION:
		html_bytes(bytes, sizeof(bytes), e->gap);
		snprintf(label, sizeof(label), "fragmentation (%s): %s held, not live", e->name,
			 bytes);
		add_mark(o, p, MARK_DRIFT, e->elapsed_ns, label);
		break;
	case EVENT_FORECAST:
		snprintf(label, sizeof(label), "forecast: %s reached in %.0f s", e->budget, e->eta_s);
		add_mark(o, p, MARK_BUDGET, e->elapsed_ns, label);
		break;
	case EVENT_OOM:
		snprintf(label, sizeof(label), "OOM killed%s%s", e->name[0] ? " growing in " : "",
			 e->name);
		add_mark(o, p, MARK_LEAK, e->elapsed_ns, label);
		break;
	}
}

static void free_process(struct html_process *p)
{
	free(p->points);
	free(p->marks);
	free(p->frames);
	free(p->types);
	free(p->cells);
	flame__free(&p->flame);
	html_table__free(&p->leaks);
	html_table__free(&p->drift);
	html_table__free(&p->budgets);
	html_table__free(&p->spikes);
	free(p);
}

static void html_destroy(struct output *out)
{
	struct html_output *o = (struct html_output *)out;
	int err = o->failed ? ENOMEM : 0;

	page__write(o->file.f, o->procs, o->count);
	output_file__close(&o->file, err);
	for (size_t i = 0; i < o->count; i++)
		free_process(o->procs[i]);
	free(o->procs);
	free(o);
}

struct output *html_output__new(const char *path)
{
	struct html_output *o = calloc(1, sizeof(*o));

	if (!o || output_file__open(&o->file, path)) {
		int saved = o ? errno : ENOMEM;

		free(o);
		errno = saved;
		return NULL;
	}
	o->base = (struct output){ .interval = html_interval, .summary = html_summary,
				   .destroy = html_destroy, .frame = html_frame,
				   .event = html_event, .all_stacks = true };
	return &o->base;
}
