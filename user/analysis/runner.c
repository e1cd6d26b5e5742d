// SPDX-License-Identifier: GPL-2.0
/* The detectors of user/analysis/ fed from the main loop; see docs/analysis.md. */
#include "analysis/runner.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/baseline.h"
#include "analysis/budget.h"
#include "analysis/drift.h"
#include "analysis/event_rate.h"
#include "analysis/frame_stats.h"
#include "analysis/leaks.h"
#include "analysis/spikes.h"
#include "model/exit_codes.h"
#include "output/on_event/on_event.h"
#include "target/sysctx.h"

#define LEAK_MAX_SAMPLES 300
#define MAX_SERIES 256
#define MAX_LISTED 100
/* Mann-Kendall z that a leak needs (leak_opts.min_z; the default). */
#define LEAK_MIN_Z 3.0

/* A live figure per snapshot: one native stack's live bytes or one Python type's count. */
struct series {
	bool python_type;
	int stack_id;
	char name[256];
	char **frames;
	size_t depth;
	struct python_stack python;    /* of a native series whose stack ran Python code */
	struct trend_point *points;
	size_t count;
	struct leak_result result;
	struct leak_result last_leak;  /* the latest analysis that found a leak */
	double analysed_t;             /* t of the last point analysed: no new point, no new answer */
	enum leak_severity reported;
};

struct event_list {
	struct analysis_event *items;
	size_t count, capacity;
};

/* One traced process's detector state: made by analysis_process__new, owned by the
 * session's registry entry, freed when the process is released. */
struct analysis_process {
	pid_t pid;
	struct spike_detector *spikes;
	size_t spikes_total;
	struct event_list spike_list, budget_list, drift_events;
	struct frame_stats frames;
	uint64_t last_frame_end;
	struct series *series;
	size_t series_count;
	struct metric_set baseline;
	bool baseline_taken;
	char **drifting;
	size_t drifting_count;
	struct budget_watch watches[ANALYSIS_MAX_BUDGETS];
	struct system_context sys;
	uint64_t interval_seq;
	struct analysis_summary summary;
	struct event_list leak_list, drift_list;
};

struct analysis_runner {
	const struct analysis_options *opts;
	struct output **outputs;
	int output_count;
	uint64_t start_ns;
	struct metric_set file_baseline;
	bool have_file_baseline;
	struct event_rate rate;
	bool leak_tripped, budget_tripped;
	struct analysis_hooks hooks;
	bool stack_budgets;            /* a stack: or lib: budget needs the top stacks' frames */
	double *scratch;               /* for trend tests of up to LEAK_MAX_SAMPLES points */
};

static int list_add(struct event_list *l, const struct analysis_event *ev)
{
	if (l->count == l->capacity) {
		size_t cap = l->capacity ? l->capacity * 2 : 16;
		struct analysis_event *more = realloc(l->items, cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		l->items = more;
		l->capacity = cap;
	}
	l->items[l->count++] = *ev;
	return 0;
}

struct analysis_runner *analysis_runner__new(const struct analysis_options *opts,
					     struct output **outputs, int output_count)
{
	struct analysis_runner *a = calloc(1, sizeof(*a));
	int err;

	if (!a)
		return NULL;
	a->opts = opts;
	a->outputs = outputs;
	a->output_count = output_count;
	event_rate__init(&a->rate, opts->on_event_per_s ? opts->on_event_per_s : 1, 5);
	for (int b = 0; b < opts->budget_count; b++) {
		const char *name = opts->budgets[b].name;

		if (name && (!strncmp(name, "stack:", 6) || !strncmp(name, "lib:", 4)))
			a->stack_budgets = true;
	}
	if (opts->baseline_path) {
		err = baseline__load(opts->baseline_path, &a->file_baseline);
		if (err) {
			fprintf(stderr, "memtrace-bpf: cannot read a summary from --baseline %s: %s\n",
				opts->baseline_path,
				err == -ENOENT ? "no summary line" : strerror(-err));
			free(a);
			return NULL;
		}
		a->have_file_baseline = true;
	}
	return a;
}

void analysis_runner__set_hooks(struct analysis_runner *a, const struct analysis_hooks *hooks)
{
	a->hooks = *hooks;
}

void analysis_runner__start(struct analysis_runner *a, uint64_t start_ns)
{
	a->start_ns = start_ns;
}

struct analysis_process *analysis_process__new(struct analysis_runner *a, pid_t pid)
{
	struct spike_opts sopts = { .spike_bytes = a->opts->spike_bytes };
	struct analysis_process *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	p->spikes = spike_detector__new(&sopts);
	frame_stats__init(&p->frames, a->opts->target_fps);
	for (int b = 0; b < a->opts->budget_count; b++) {
		const struct budget_spec *spec = &a->opts->budgets[b];

		budget_watch__init(&p->watches[b], spec->name ? spec->name : "process",
				   (double)spec->limit, (double)spec->limit);
	}
	return p;
}

static void emit(struct analysis_runner *a, const struct analysis_event *ev)
{
	for (int o = 0; o < a->output_count; o++)
		output__event(a->outputs[o], ev);
	if (a->opts->on_event && event_rate__allow(&a->rate, a->start_ns + ev->elapsed_ns))
		on_event__run(a->opts->on_event, ev);
}

/* The innermost frame of a stack, through the loader's hooks, and its innermost Python frame
 * ("file:line function") where its thread ran Python; "" when unknown. */
static void name_stack(struct analysis_runner *a, pid_t pid, int stack_id, char *out,
		       size_t size, char *python, size_t python_size)
{
	struct stack_report st = { .stack_id = stack_id };

	out[0] = python[0] = 0;
	if (!a->hooks.symbolize)
		return;
	a->hooks.symbolize(a->hooks.ctx, pid, &st);
	if (st.depth && st.frames[0])
		snprintf(out, size, "%s", st.frames[0]);
	if (st.python.depth)
		snprintf(python, python_size, "%s:%d %s", st.python.frames[0].file,
			 st.python.frames[0].line, st.python.frames[0].function);
	for (size_t f = 0; f < st.depth; f++)
		free(st.frames[f]);
	free(st.frames);
	free(st.python.frames);
}

/* What dominated a spike: the stack that allocated most over it (see analysis_hooks). */
static void spike_top(struct analysis_runner *a, pid_t pid, bool in_frame,
		      struct analysis_event *ev)
{
	uint64_t bytes;
	int id;

	if (!a->hooks.top_stack || !a->hooks.top_stack(a->hooks.ctx, pid, in_frame, &id, &bytes))
		return;
	name_stack(a, pid, id, ev->top, sizeof(ev->top), ev->top_python, sizeof(ev->top_python));
	if (ev->top[0])
		ev->top_bytes = (double)bytes;
}

/* --- frames ------------------------------------------------------------------------- */

void analysis_runner__frame(struct analysis_runner *a, struct analysis_process *p,
			    const struct frame_report *in)
{
	struct frame_report f = *in;
	struct spike spike;

	if (!f.start_ns)
		f.start_ns = p->last_frame_end ? p->last_frame_end : a->start_ns;
	p->last_frame_end = f.end_ns;
	p->frames.memory_unknown |= !f.native_known;
	f.dropped = frame_stats__add(&p->frames, f.start_ns, f.end_ns, f.allocs,
				     f.bytes_allocated, &f.fps);
	for (uint64_t g = 0; f.gc_known && g < f.gc_runs; g++)
		frame_stats__add_gc(&p->frames, f.dropped);
	for (int o = 0; o < a->output_count; o++)
		output__frame(a->outputs[o], &f);
	if (p->spikes && f.native_known &&
	    spike_detector__push(p->spikes, f.seq, (double)f.bytes_allocated, &spike)) {
		struct analysis_event ev = {
			.type = EVENT_SPIKE, .pid = f.pid,
			.elapsed_ns = f.end_ns > a->start_ns ? f.end_ns - a->start_ns : 0,
			.in_frame = true, .seq = f.seq, .bytes = spike.value,
			.baseline_bytes = spike.baseline, .ratio = spike.ratio, .mads = spike.mads,
			.over_limit = spike.over_limit,
		};

		spike_top(a, f.pid, true, &ev);
		p->spikes_total++;
		if (p->spike_list.count < MAX_LISTED)
			list_add(&p->spike_list, &ev);
		emit(a, &ev);
	}
}

/* --- leaks -------------------------------------------------------------------------- */

static struct series *series_of(struct analysis_process *p, bool python_type, int stack_id,
				const char *name)
{
	struct series *s;

	for (size_t i = 0; i < p->series_count; i++) {
		s = &p->series[i];
		if (s->python_type == python_type &&
		    (python_type ? !strcmp(s->name, name) : s->stack_id == stack_id))
			return s;
	}
	if (p->series_count == MAX_SERIES)
		return NULL;
	if (!p->series && !(p->series = calloc(MAX_SERIES, sizeof(*p->series))))
		return NULL;
	s = &p->series[p->series_count++];
	s->python_type = python_type;
	s->stack_id = stack_id;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->points = calloc(LEAK_MAX_SAMPLES, sizeof(*s->points));
	return s;
}

static void series_push(struct series *s, double t, double value)
{
	if (!s->points)
		return;
	if (s->count && t <= s->points[s->count - 1].t)
		return;
	if (s->count == LEAK_MAX_SAMPLES) {
		memmove(s->points, s->points + 1, (LEAK_MAX_SAMPLES - 1) * sizeof(*s->points));
		s->count--;
	}
	s->points[s->count++] = (struct trend_point){ t, value };
}

static struct series *find_stack_series(struct analysis_process *p, int stack_id)
{
	for (size_t i = 0; i < p->series_count; i++)
		if (!p->series[i].python_type && p->series[i].stack_id == stack_id)
			return &p->series[i];
	return NULL;
}

static void copy_frames(struct series *s, const struct stack_report *st)
{
	if (s->frames || !st->depth)
		return;
	s->frames = calloc(st->depth, sizeof(char *));
	if (!s->frames)
		return;
	for (size_t f = 0; f < st->depth; f++)
		s->frames[f] = strdup(st->frames[f] ? st->frames[f] : "?");
	s->depth = st->depth;
	snprintf(s->name, sizeof(s->name), "%s", s->frames[0]);
	python_stack__copy(&s->python, &st->python);
}

/* A native series is named (symbolized) when something is reported about it. */
static void name_series(struct analysis_runner *a, pid_t pid, struct series *s)
{
	struct stack_report st = { .stack_id = s->stack_id };

	if (s->python_type || s->frames || !a->hooks.symbolize)
		return;
	a->hooks.symbolize(a->hooks.ctx, pid, &st);
	copy_frames(s, &st);
	for (size_t f = 0; f < st.depth; f++)
		free(st.frames[f]);
	free(st.frames);
	free(st.python.frames);
}

static void leak_event(struct series *s, pid_t pid, uint64_t elapsed, struct analysis_event *ev)
{
	*ev = (struct analysis_event){
		.type = EVENT_LEAK, .pid = pid, .elapsed_ns = elapsed,
		.python_type = s->python_type, .stack = s->frames, .depth = s->depth,
		.python_stack = s->python.depth ? &s->python : NULL,
		.severity = s->last_leak.severity, .growth_per_s = s->last_leak.growth_per_s,
		.live = s->last_leak.last, .samples = s->last_leak.samples,
	};
	snprintf(ev->name, sizeof(ev->name), "%s", s->name);
}

/* Most series do not trend, and the Mann-Kendall test that says so is a fifth of the full
 * analysis (whose first check it is); a flat series needs not even that. */
static bool may_trend(struct analysis_runner *a, const struct series *s)
{
	struct mann_kendall mk;
	bool flat = true;

	for (size_t i = 1; i < s->count && flat; i++)
		flat = s->points[i].value == s->points[0].value;
	if (flat)
		return false;
	if (!a->scratch &&
	    !(a->scratch = malloc(trend__scratch_len(LEAK_MAX_SAMPLES) * sizeof(double))))
		return true;
	trend__mann_kendall(s->points, s->count, a->scratch, &mk);
	return mk.z >= LEAK_MIN_Z;
}

static void check_leaks(struct analysis_runner *a, struct analysis_process *p, uint64_t elapsed)
{
	for (size_t i = 0; i < p->series_count; i++) {
		struct series *s = &p->series[i];
		struct leak_opts lopts = {
			.max_samples = LEAK_MAX_SAMPLES, .min_z = LEAK_MIN_Z,
			.thresholds = s->python_type ? &leak_thresholds_objects
						     : &leak_thresholds_bytes,
		};
		struct analysis_event ev;

		/* A series that got no point since (a stack out of the top, a type gone) would get
		 * the same answer. */
		if (!s->count || s->points[s->count - 1].t == s->analysed_t)
			continue;
		s->analysed_t = s->points[s->count - 1].t;
		if (!may_trend(a, s)) {
			s->result = (struct leak_result){ .verdict = LEAK_VERDICT_NO_TREND };
			continue;
		}
		if (leak__analyze(s->points, s->count, &lopts, &s->result) || !s->result.is_leak)
			continue;
		s->last_leak = s->result;
		if (a->opts->fail_on_leak &&
		    (int)s->result.severity >= a->opts->fail_on_leak_severity)
			a->leak_tripped = true;
		if (s->result.severity <= s->reported)
			continue;
		s->reported = s->result.severity;
		name_series(a, p->pid, s);
		leak_event(s, p->pid, elapsed, &ev);
		if (s->python_type && a->hooks.retained_by)
			a->hooks.retained_by(a->hooks.ctx, p->pid, ev.name, &ev.retained_by);
		emit(a, &ev);
	}
}

void analysis_runner__window_leak(struct analysis_runner *a, struct analysis_process *p,
				  int stack_id, double growth_per_s, double live, size_t windows,
				  uint64_t elapsed_ns)
{
	struct series *s = series_of(p, false, stack_id, "");
	struct analysis_event ev;

	if (!s)
		return;
	s->last_leak = (struct leak_result){
		.is_leak = true, .verdict = LEAK_VERDICT_LEAK, .growth_per_s = growth_per_s,
		.severity = leak_severity_classify(&leak_thresholds_bytes, growth_per_s, live),
		.last = live, .samples = windows,
	};
	if (a->opts->fail_on_leak && (int)s->last_leak.severity >= a->opts->fail_on_leak_severity)
		a->leak_tripped = true;
	if (s->last_leak.severity <= s->reported)
		return;
	s->reported = s->last_leak.severity;
	name_series(a, p->pid, s);
	leak_event(s, p->pid, elapsed_ns, &ev);
	emit(a, &ev);
}

static void feed_series(struct analysis_runner *a, struct analysis_process *p,
			struct process_report *r, double t)
{
	for (size_t i = 0; i < r->stack_count; i++) {
		struct stack_report *st = &r->stacks[i];
		struct series *s = series_of(p, false, st->stack_id, "");

		/* stack: and lib: budgets match frames: each stack is symbolized once. */
		if (a->stack_budgets && !st->depth && !(s && s->frames) && a->hooks.symbolize)
			a->hooks.symbolize(a->hooks.ctx, p->pid, st);
		if (!s)
			continue;
		copy_frames(s, st);
		series_push(s, t, (double)st->live_bytes);
	}
	if (!r->python)
		return;
	for (size_t i = 0; i < r->python->type_count; i++) {
		const struct python_type_report *ty = &r->python->types[i];
		struct series *s;

		if (!ty->has_live || !(s = series_of(p, true, -1, ty->name)))
			continue;
		series_push(s, t, (double)ty->live);
	}
}

/* --- budgets ------------------------------------------------------------------------ */

static bool frame_in(const char *frame, const char *prefix, const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(prefix, "stack:"))
		return !strncmp(frame, name, n) && (frame[n] == '+' || frame[n] == 0);
	return strstr(frame, name) != NULL;
}

/* gpu=SIZE: GPU live bytes of every device; gpu:N=SIZE: of device N. */
static bool budget_is_gpu(const struct budget_spec *spec)
{
	return !strncmp(spec->name, "gpu", 3) && (!spec->name[3] || spec->name[3] == ':');
}

static double budget_value(struct analysis_process *p, const struct budget_spec *spec,
			   const struct process_report *r)
{
	static const char *const prefixes[] = { "stack:", "lib:" };
	double sum = 0;

	if (!spec->name)
		return r->rss_bytes ? (double)r->rss_bytes : (double)native_live_bytes(&r->native);
	if (budget_is_gpu(spec))
		return (double)gpu_report__live_bytes(r->gpu, spec->name[3] ? atoi(spec->name + 4) : -1);
	for (int k = 0; k < 2; k++) {
		size_t len = strlen(prefixes[k]);

		if (strncmp(spec->name, prefixes[k], len))
			continue;
		for (size_t i = 0; i < r->stack_count; i++) {
			const struct stack_report *st = &r->stacks[i];
			const struct series *s = st->depth ? NULL : find_stack_series(p, st->stack_id);
			char *const *frames = s ? s->frames : st->frames;
			size_t depth = s ? s->depth : st->depth;
			bool hit = false;

			for (size_t f = 0; f < depth && !hit; f++)
				hit = frames[f] && frame_in(frames[f], prefixes[k], spec->name + len);
			if (hit)
				sum += (double)r->stacks[i].live_bytes;
		}
		return sum;
	}
	if (r->python) {
		const char *type = strncmp(spec->name, "type:", 5) ? spec->name : spec->name + 5;

		for (size_t i = 0; i < r->python->type_count; i++)
			if (!strcmp(r->python->types[i].name, type))
				return (double)r->python->types[i].live;
	}
	return 0;
}

/* A bare size, stack:, lib: and gpu budgets are in bytes; the others count a Python type. */
static bool budget_counts_objects(const struct budget_spec *spec)
{
	return spec->name && strncmp(spec->name, "stack:", 6) && strncmp(spec->name, "lib:", 4) &&
	       !budget_is_gpu(spec);
}

static void check_budgets(struct analysis_runner *a, struct analysis_process *p,
			  const struct process_report *r, double t)
{
	/* An exited process's memory is gone, not back under its budget. */
	if (r->exited)
		return;
	for (int b = 0; b < a->opts->budget_count; b++) {
		struct budget_report rep;
		enum budget_event e;
		struct analysis_event ev;

		/* No RSS (a process exiting: a zombie has none) and no native counts: no value,
		 * not a value of 0 under the limit. */
		if (!a->opts->budgets[b].name && !r->rss_bytes && !r->native_traced)
			continue;
		e = budget_watch__feed(&p->watches[b], t, budget_value(p, &a->opts->budgets[b], r),
				       &rep);

		if (e == BUDGET_OK || e == BUDGET_STILL_OVER)
			continue;
		ev = (struct analysis_event){
			.type = EVENT_BUDGET, .pid = p->pid, .elapsed_ns = r->elapsed_ns,
			.state = e == BUDGET_EXCEEDED ? "exceeded" : "recovered",
			.python_type = budget_counts_objects(&a->opts->budgets[b]),
			.value = rep.value, .limit = rep.limit, .excess = rep.excess,
			.since_s = rep.since, .duration_s = rep.duration, .peak = rep.peak,
		};
		snprintf(ev.budget, sizeof(ev.budget), "%s", rep.name);
		if (e == BUDGET_EXCEEDED && a->opts->fail_on_budget)
			a->budget_tripped = true;
		if (p->budget_list.count < MAX_LISTED)
			list_add(&p->budget_list, &ev);
		emit(a, &ev);
	}
}

/* --- drift -------------------------------------------------------------------------- */

static void current_metrics(struct analysis_process *p, const struct process_report *r,
			    struct metric_set *m)
{
	*m = (struct metric_set){ 0 };
	if (r->rss_bytes)
		metric_set__add(m, "rss_bytes", (double)r->rss_bytes);
	if (p->sys.pss_known)
		metric_set__add(m, "pss_bytes", (double)p->sys.pss_bytes);
	if (r->native_traced) {
		metric_set__add(m, "live_bytes", (double)native_live_bytes(&r->native));
		metric_set__add(m, "live_allocs", (double)native_live_allocs(&r->native));
	}
	if (r->gpu)
		metric_set__add(m, "gpu_live_bytes", (double)gpu_report__live_bytes(r->gpu, -1));
	if (r->python) {
		for (size_t i = 0; i < r->python->type_count; i++) {
			char key[96];

			if (!r->python->types[i].has_live)
				continue;
			snprintf(key, sizeof(key), "type:%s", r->python->types[i].name);
			metric_set__add(m, key, (double)r->python->types[i].live);
		}
		if (r->python->gc_known && r->elapsed_ns)
			metric_set__add(m, "gc_per_s",
					(r->python->gc_collections[0] + r->python->gc_collections[1] +
					 r->python->gc_collections[2]) / (r->elapsed_ns / 1e9));
	}
}

static bool was_drifting(struct analysis_process *p, const char *name)
{
	for (size_t i = 0; i < p->drifting_count; i++)
		if (!strcmp(p->drifting[i], name))
			return true;
	return false;
}

/* Compares now with the baseline; lists every drift in out (NULL: emits only new ones). */
static void check_drift(struct analysis_runner *a, struct analysis_process *p,
			const struct process_report *r, struct event_list *out)
{
	const struct metric_set *base = a->have_file_baseline ? &a->file_baseline : &p->baseline;
	struct metric_set now;
	struct drift d[64];
	int n;

	if (!a->have_file_baseline && !p->baseline_taken) {
		if (!a->opts->warmup_set || r->elapsed_ns < a->opts->warmup_ns)
			return;
		current_metrics(p, r, &p->baseline);
		p->baseline_taken = true;
		return;
	}
	current_metrics(p, r, &now);
	n = drift__compare(base->items, base->count, now.items, now.count, NULL, d, 64);
	for (int i = 0; i < n && i < 64; i++) {
		struct analysis_event ev = {
			.type = EVENT_DRIFT, .pid = p->pid, .elapsed_ns = r->elapsed_ns,
			.baseline = d[i].baseline, .current = d[i].current, .change = d[i].change,
			.rel = d[i].rel,
		};

		snprintf(ev.metric, sizeof(ev.metric), "%s", d[i].name);
		if (out) {
			list_add(out, &ev);
		} else if (!was_drifting(p, d[i].name)) {
			char **more = realloc(p->drifting, (p->drifting_count + 1) * sizeof(char *));

			if (more) {
				p->drifting = more;
				p->drifting[p->drifting_count++] = strdup(d[i].name);
			}
			emit(a, &ev);
		}
	}
	metric_set__free(&now);
}

/* --- snapshots ---------------------------------------------------------------------- */

/* The Python type whose live count grew most over this interval (census or events). */
static void top_type(struct analysis_process *p, const struct process_report *r,
		     struct analysis_event *ev)
{
	double t = r->elapsed_ns / 1e9, best = 0;

	for (size_t i = 0; i < p->series_count; i++) {
		const struct series *s = &p->series[i];
		double grew;

		if (!s->python_type || s->count < 2 || s->points[s->count - 1].t != t)
			continue;
		grew = s->points[s->count - 1].value - s->points[s->count - 2].value;
		if (grew > best) {
			best = grew;
			snprintf(ev->top_type, sizeof(ev->top_type), "%.63s", s->name);
			ev->top_type_growth = grew;
		}
	}
}

static void interval_spike(struct analysis_runner *a, struct analysis_process *p,
			   const struct process_report *r, uint64_t seq)
{
	struct spike spike;
	struct analysis_event ev;

	if (a->opts->frame_symbol || !p->spikes ||
	    !spike_detector__push(p->spikes, seq, (double)r->native_delta.bytes_allocated, &spike))
		return;
	ev = (struct analysis_event){
		.type = EVENT_SPIKE, .pid = p->pid, .elapsed_ns = r->elapsed_ns, .seq = seq,
		.bytes = spike.value, .baseline_bytes = spike.baseline, .ratio = spike.ratio,
		.mads = spike.mads, .over_limit = spike.over_limit,
	};
	spike_top(a, p->pid, false, &ev);
	top_type(p, r, &ev);
	p->spikes_total++;
	if (p->spike_list.count < MAX_LISTED)
		list_add(&p->spike_list, &ev);
	emit(a, &ev);
}

static void snapshot(struct analysis_runner *a, struct analysis_process *p,
		     struct process_report *r)
{
	double t = r->elapsed_ns / 1e9;

	if (!r->exited)
		sysctx__read(r->pid, &p->sys);
	r->system = &p->sys;
	feed_series(a, p, r, t);
	check_leaks(a, p, r->elapsed_ns);
	check_budgets(a, p, r, t);
	check_drift(a, p, r, NULL);
}

void analysis_runner__interval(struct analysis_runner *a, struct analysis_process *p,
			       struct process_report *r)
{
	snapshot(a, p, r);
	interval_spike(a, p, r, ++p->interval_seq);
}

void analysis_runner__summary(struct analysis_runner *a, struct analysis_process *p,
			      struct process_report *r, const struct aged_report *aged,
			      size_t aged_count)
{
	struct analysis_summary *s = &p->summary;

	snapshot(a, p, r);
	p->leak_list.count = 0;
	for (size_t i = 0; i < p->series_count; i++) {
		struct analysis_event ev;

		/* Every series found leaking at some snapshot, even if it stopped since. */
		if (!p->series[i].last_leak.is_leak)
			continue;
		name_series(a, p->pid, &p->series[i]);
		leak_event(&p->series[i], p->pid, r->elapsed_ns, &ev);
		list_add(&p->leak_list, &ev);
	}
	p->drift_list.count = 0;
	if (a->have_file_baseline || p->baseline_taken)
		check_drift(a, p, r, &p->drift_list);
	*s = (struct analysis_summary){
		.spikes = p->spike_list.items, .spike_count = p->spike_list.count,
		.spikes_total = p->spikes_total,
		.leaks = p->leak_list.items, .leak_count = p->leak_list.count,
		.drift = p->drift_list.items, .drift_count = p->drift_list.count,
		.budgets = p->budget_list.items, .budget_count = p->budget_list.count,
		.frames_on = a->opts->frame_symbol != NULL, .frames = &p->frames,
		.frames_fps = frame_stats__fps(&p->frames),
		.leak_age_on = a->opts->leak_age_ns != 0, .leak_age_ns = a->opts->leak_age_ns,
		.aged = aged, .aged_count = aged_count,
		.drift_on = a->have_file_baseline || a->opts->warmup_set,
		.drift_baseline = a->have_file_baseline ? "file" :
				  p->baseline_taken ? "warmup" : NULL,
		.events_suppressed = a->rate.suppressed,
	};
	r->analysis = s;
}

int analysis_runner__exit_code(const struct analysis_runner *a)
{
	if (!a)
		return EXIT_OK;
	if (a->leak_tripped)
		return EXIT_LEAK;
	if (a->budget_tripped)
		return EXIT_BUDGET;
	return EXIT_OK;
}

void analysis_process__free(struct analysis_process *p)
{
	if (!p)
		return;
	spike_detector__free(p->spikes);
	for (size_t s = 0; s < p->series_count; s++) {
		for (size_t f = 0; f < p->series[s].depth; f++)
			free(p->series[s].frames[f]);
		free(p->series[s].frames);
		free(p->series[s].python.frames);
		free(p->series[s].points);
	}
	free(p->series);
	for (size_t d = 0; d < p->drifting_count; d++)
		free(p->drifting[d]);
	free(p->drifting);
	metric_set__free(&p->baseline);
	free(p->spike_list.items);
	free(p->budget_list.items);
	free(p->leak_list.items);
	free(p->drift_list.items);
	free(p->drift_events.items);
	free(p);
}

void analysis_runner__free(struct analysis_runner *a)
{
	if (!a)
		return;
	metric_set__free(&a->file_baseline);
	free(a->scratch);
	free(a);
}
