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
#include "analysis/budget_tree.h"
#include "analysis/drift.h"
#include "analysis/event_rate.h"
#include "analysis/frame_leaks.h"
#include "analysis/forecast.h"
#include "analysis/fragmentation.h"
#include "analysis/frame_stats.h"
#include "analysis/leaks.h"
#include "analysis/spikes.h"
#include "analysis/survival.h"
#include "analysis/survival_watch.h"
#include "model/exit_codes.h"
#include "model/fragmentation_report.h"
#include "output/on_event/on_event.h"
#include "target/cgroup_labels.h"
#include "target/sysctx.h"

#define LEAK_MAX_SAMPLES 300
/* Series per process: the table grows to this, then a series that never leaked and got no
 * point for longest makes room (a late-coming type must not find it full of old stacks). */
#define MAX_SERIES 4096
#define MAX_LISTED 100
#define FORECAST_DEFAULT_HORIZON_S 3600.0
/* Mann-Kendall z that a leak needs (leak_opts.min_z; the default). */
#define LEAK_MIN_Z 3.0
/* Survival counts what was made after this much of the run, unless --warmup says. */
#define SURVIVAL_WARMUP_NS 1000000000ull

/* A live figure per snapshot: one native stack's live bytes or one Python type's count. */
struct series {
	bool python_type;
	int stack_id;
	char name[256];
	char **frames;
	size_t depth;
	struct python_stack python;    /* of a native series whose stack ran Python code */
	struct trend_point *points;
	uint64_t *frames_at;           /* --frame: frames ended by each point */
	size_t count;
	struct frame_leak frame_leak;  /* --frame: the latest per-frame judgement that found one */
	double unit_bytes;             /* a type's bytes per object at its last point; 0: unknown */
	struct leak_result result;
	struct leak_result last_leak;  /* the latest analysis that found a leak */
	double analysed_t;             /* t of the last point analysed: no new point, no new answer */
	enum leak_severity reported;
};

/* One allocator's series of (live, held) for the fragmentation detector. */
struct frag_series {
	struct frag_point points[FRAG_MAX_POINTS];
	size_t count;
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
	struct frame_window *frame_window;   /* --frame: made at the first frame */
	struct series *series;
	size_t series_count, series_capacity;
	struct metric_set baseline;
	bool baseline_taken;
	char **drifting;
	size_t drifting_count;
	struct budget_watch watches[ANALYSIS_MAX_BUDGETS];
	struct system_context sys;
	uint64_t interval_seq;
	struct analysis_summary summary;
	struct event_list leak_list, drift_list;
	/* one per --budget, then the cgroup's memory limit (NULL: out of memory) */
	struct forecast_watch *forecasts;
	struct event_list forecast_list;
	struct glibc_heap_locator heap_locator;
	struct fragmentation_report frag;
	struct frag_series glibc_series, pymalloc_series;
	bool oom_killed;
	struct analysis_runner *runner;
	/* For the budgets over processes: what its last interval said (rss 0: not running). */
	uint64_t last_rss;
	char comm[32];
	char container[80];
	struct survival_watch survival;   /* --fail-on-leak: judged at the process's exit */
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
	struct budget_node budget_nodes[ANALYSIS_MAX_BUDGETS];  /* their parents and groups */
	struct budget_watch process_watches[ANALYSIS_MAX_BUDGETS];  /* the over_processes ones */
	struct analysis_process **procs;   /* every process watched, for those budgets */
	size_t proc_count;
	double *scratch;               /* for trend tests of up to LEAK_MAX_SAMPLES points */
	struct symtab_cache *libc_symtabs;  /* for glibc's main_arena, shared by processes */
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
	char why[256];
	int err;

	if (!a)
		return NULL;
	a->opts = opts;
	a->outputs = outputs;
	a->output_count = output_count;
	event_rate__init(&a->rate, opts->on_event_per_s ? opts->on_event_per_s : 1, 5);
	if (budget_tree__build(opts->budgets, opts->budget_count, a->budget_nodes, why,
			       sizeof(why))) {
		fprintf(stderr, "memtrace-bpf: invalid --budget: %s\n", why);
		free(a);
		return NULL;
	}
	for (int b = 0; b < opts->budget_count; b++) {
		const char *metric = a->budget_nodes[b].metric;
		double limit = (double)opts->budgets[b].limit;

		if (!strncmp(metric, "stack:", 6) || !strncmp(metric, "lib:", 4))
			a->stack_budgets = true;
		budget_watch__init(&a->process_watches[b], a->budget_nodes[b].path, limit, limit);
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
	struct analysis_process **more = realloc(a->procs, (a->proc_count + 1) * sizeof(*more));

	if (more)
		a->procs = more;
	if (!p || !more) {
		free(p);
		return NULL;
	}
	a->procs[a->proc_count++] = p;
	p->runner = a;
	p->pid = pid;
	p->spikes = spike_detector__new(&sopts);
	p->forecasts = calloc(a->opts->budget_count + 1, sizeof(*p->forecasts));
	survival_watch__init(&p->survival, a->opts->warmup_set ? a->opts->warmup_ns
							       : SURVIVAL_WARMUP_NS);
	frame_stats__init(&p->frames, a->opts->target_fps);
	for (int b = 0; b < a->opts->budget_count; b++) {
		const struct budget_spec *spec = &a->opts->budgets[b];
		double limit = (double)spec->limit;

		budget_watch__init(&p->watches[b], a->budget_nodes[b].path, limit, limit);
		if (p->forecasts)
			forecast_watch__init(&p->forecasts[b], a->budget_nodes[b].path,
					     a->budget_nodes[b].counts_objects);
	}
	if (p->forecasts)
		forecast_watch__init(&p->forecasts[a->opts->budget_count], "cgroup", false);
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

	if (!f.start_ns) {
		f.from_attach = !p->last_frame_end;
		f.start_ns = p->last_frame_end ? p->last_frame_end : a->start_ns;
	}
	p->last_frame_end = f.end_ns;
	p->frames.memory_unknown |= !f.native_known;
	if (!p->frame_window)
		p->frame_window = calloc(1, sizeof(*p->frame_window));
	if (p->frame_window)
		frame_window__add(p->frame_window, f.start_ns, f.end_ns);
	f.dropped = frame_stats__add(&p->frames, &f, &f.fps);
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

static void series_clear(struct series *s)
{
	for (size_t f = 0; f < s->depth; f++)
		free(s->frames[f]);
	free(s->frames);
	free(s->python.frames);
	free(s->points);
	free(s->frames_at);
	memset(s, 0, sizeof(*s));
}

/* The series that never leaked and whose last point is oldest (NULL: all leaked). */
static struct series *stalest_series(struct analysis_process *p)
{
	struct series *stalest = NULL;

	for (size_t i = 0; i < p->series_count; i++) {
		struct series *s = &p->series[i];
		double t = s->count ? s->points[s->count - 1].t : -1;

		if (s->last_leak.is_leak)
			continue;
		if (!stalest || t < (stalest->count ? stalest->points[stalest->count - 1].t : -1))
			stalest = s;
	}
	return stalest;
}

/* A free slot: the table grown, or its stalest series dropped when at MAX_SERIES. */
static struct series *series_slot(struct analysis_process *p)
{
	struct series *s;

	if (p->series_count == p->series_capacity && p->series_capacity < MAX_SERIES) {
		size_t cap = p->series_capacity ? p->series_capacity * 2 : 256;
		struct series *more = realloc(p->series, cap * sizeof(*more));

		if (more) {
			p->series = more;
			p->series_capacity = cap;
		}
	}
	if (p->series_count < p->series_capacity)
		return memset(&p->series[p->series_count++], 0, sizeof(*p->series));
	s = stalest_series(p);
	if (s)
		series_clear(s);
	return s;
}

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
	s = series_slot(p);
	if (!s)
		return NULL;
	s->python_type = python_type;
	s->stack_id = stack_id;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->points = calloc(LEAK_MAX_SAMPLES, sizeof(*s->points));
	s->frames_at = calloc(LEAK_MAX_SAMPLES, sizeof(*s->frames_at));
	return s;
}

static void series_push(struct series *s, double t, double value, uint64_t frames)
{
	if (!s->points || !s->frames_at)
		return;
	if (s->count && t <= s->points[s->count - 1].t)
		return;
	if (s->count == LEAK_MAX_SAMPLES) {
		memmove(s->points, s->points + 1, (LEAK_MAX_SAMPLES - 1) * sizeof(*s->points));
		memmove(s->frames_at, s->frames_at + 1,
			(LEAK_MAX_SAMPLES - 1) * sizeof(*s->frames_at));
		s->count--;
	}
	s->frames_at[s->count] = frames;
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
		.per_frame_known = s->frame_leak.is_leak, .per_frame = s->frame_leak.per_frame,
		.frames_judged = s->frame_leak.frames, .frames_left = s->frame_leak.frames_left,
	};
	snprintf(ev->name, sizeof(ev->name), "%s", s->name);
}

/* Work space for the trend tests: LEAK_MAX_SAMPLES points is the longest series (the
 * forecasts' FORECAST_MAX_POINTS and fragmentation's FRAG_MAX_POINTS need less). */
static double *scratch_of(struct analysis_runner *a)
{
	if (!a->scratch)
		a->scratch = malloc(trend__scratch_len(LEAK_MAX_SAMPLES) * sizeof(double));
	return a->scratch;
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
	if (!scratch_of(a))
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
			.unit_bytes = s->unit_bytes,
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
		.severity = leak_severity_classify(&leak_thresholds_bytes, growth_per_s),
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

/* --- per-frame leaks (frame_leaks.h) ----------------------------------------------- */

struct frame_leak_ctx {
	struct analysis_runner *a;
	struct analysis_process *p;
	uint64_t elapsed;
};

/* A series found leaking in frames: its severity from the rate the frames give it. */
static void frame_leak_found(struct frame_leak_ctx *c, struct series *s,
			     const struct frame_leak *leak)
{
	struct analysis_runner *a = c->a;
	double growth_per_s = leak->per_frame * frame_stats__fps(&c->p->frames);
	struct analysis_event ev;

	s->frame_leak = *leak;
	s->last_leak = (struct leak_result){
		.is_leak = true, .verdict = LEAK_VERDICT_LEAK, .growth_per_s = growth_per_s,
		.severity = s->python_type ? leak_severity_of_objects(growth_per_s, s->unit_bytes)
					   : leak_severity_classify(&leak_thresholds_bytes,
								    growth_per_s),
		.last = leak->left, .samples = leak->frames,
	};
	if (a->opts->fail_on_leak && (int)s->last_leak.severity >= a->opts->fail_on_leak_severity)
		a->leak_tripped = true;
	if (s->last_leak.severity <= s->reported)
		return;
	s->reported = s->last_leak.severity;
	name_series(a, c->p->pid, s);
	leak_event(s, c->p->pid, c->elapsed, &ev);
	if (s->python_type && a->hooks.retained_by)
		a->hooks.retained_by(a->hooks.ctx, c->p->pid, ev.name, &ev.retained_by);
	emit(a, &ev);
}

static void stack_leaks_in_frames(void *ctx, int stack_id, const struct frame_leak *leak)
{
	struct frame_leak_ctx *c = ctx;
	struct series *s = series_of(c->p, false, stack_id, "");

	if (s)
		frame_leak_found(c, s, leak);
}

/* A type's census points within the judged frames, judged by their new highs. */
static void type_leaks_in_frames(struct frame_leak_ctx *c, uint64_t first, uint64_t last)
{
	uint64_t frames[LEAK_MAX_SAMPLES];
	double counts[LEAK_MAX_SAMPLES];

	for (size_t i = 0; i < c->p->series_count; i++) {
		struct series *s = &c->p->series[i];
		struct frame_leak leak;
		size_t n = 0;

		if (!s->python_type)
			continue;
		for (size_t k = 0; k < s->count; k++)
			if (s->frames_at[k] >= first && s->frames_at[k] <= last) {
				frames[n] = s->frames_at[k];
				counts[n++] = s->points[k].value;
			}
		frame_leaks__judge_counts(frames, counts, n, &leak);
		if (leak.is_leak)
			frame_leak_found(c, s, &leak);
	}
}

static void check_frame_leaks(struct analysis_runner *a, struct analysis_process *p,
			      uint64_t elapsed)
{
	struct frame_span spans[FRAME_LEAK_WINDOW];
	struct frame_leak_ctx c = { a, p, elapsed };
	struct frame_block *blocks = NULL;
	size_t n = p->frame_window ? frame_window__judged(p->frame_window, spans) : 0, count = 0;
	uint64_t frames = p->frames.frames;

	if (n < FRAME_LEAK_MIN_FRAMES)
		return;
	/* A type's census points are counts, not blocks: the newest frames may count too. */
	type_leaks_in_frames(&c, frames > FRAME_LEAK_WINDOW ? frames - FRAME_LEAK_WINDOW : 0,
			     frames);
	if (!a->hooks.live_blocks ||
	    a->hooks.live_blocks(a->hooks.ctx, p->pid, spans[0].start_ns, spans[n - 1].end_ns,
				 &blocks, &count))
		return;
	frame_leaks__by_stack(spans, n, blocks, count, stack_leaks_in_frames, &c);
	free(blocks);
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
		series_push(s, t, (double)st->live_bytes, p->frames.frames);
	}
	if (!r->python)
		return;
	for (size_t i = 0; i < r->python->type_count; i++) {
		const struct python_type_report *ty = &r->python->types[i];
		struct series *s;

		if (!ty->has_live || !(s = series_of(p, true, -1, ty->name)))
			continue;
		series_push(s, t, (double)ty->live, p->frames.frames);
		if (ty->live)
			s->unit_bytes = (double)ty->live_bytes / (double)ty->live;
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
static bool budget_is_gpu(const char *name)
{
	return !strncmp(name, "gpu", 3) && (!name[3] || name[3] == ':');
}

/* name: a budget's metric (budget_node.metric), NULL for the bare size's. */
static double budget_value(struct analysis_process *p, const char *name,
			   const struct process_report *r)
{
	static const char *const prefixes[] = { "stack:", "lib:" };
	double sum = 0;

	if (!name)
		return r->rss_bytes ? (double)r->rss_bytes : (double)native_live_bytes(&r->native);
	if (budget_is_gpu(name))
		return (double)gpu_report__live_bytes(r->gpu, name[3] ? atoi(name + 4) : -1);
	for (int k = 0; k < 2; k++) {
		size_t len = strlen(prefixes[k]);

		if (strncmp(name, prefixes[k], len))
			continue;
		for (size_t i = 0; i < r->stack_count; i++) {
			const struct stack_report *st = &r->stacks[i];
			const struct series *s = st->depth ? NULL : find_stack_series(p, st->stack_id);
			char *const *frames = s ? s->frames : st->frames;
			size_t depth = s ? s->depth : st->depth;
			bool hit = false;

			for (size_t f = 0; f < depth && !hit; f++)
				hit = frames[f] && frame_in(frames[f], prefixes[k], name + len);
			if (hit)
				sum += (double)r->stacks[i].live_bytes;
		}
		return sum;
	}
	if (r->python) {
		const char *type = strncmp(name, "type:", 5) ? name : name + 5;

		for (size_t i = 0; i < r->python->type_count; i++)
			if (!strcmp(r->python->types[i].name, type))
				return (double)r->python->types[i].live;
	}
	return 0;
}

static void note_for_process_budgets(struct analysis_process *p, const struct process_report *r)
{
	struct cgroup_labels labels = { 0 };

	p->last_rss = r->rss_bytes;
	snprintf(p->comm, sizeof(p->comm), "%s", r->comm);
	if (p->sys.cgroup[0])   /* a path, whether its memory files are readable or not */
		cgroup_labels__parse(p->sys.cgroup, &labels);
	snprintf(p->container, sizeof(p->container), "%s", labels.container);
}

static void budget_event(struct analysis_runner *a, struct event_list *list, pid_t pid,
			 uint64_t elapsed_ns, int b, enum budget_event e,
			 const struct budget_report *rep)
{
	const struct budget_node *node = &a->budget_nodes[b];
	struct analysis_event ev = {
		.type = EVENT_BUDGET, .pid = pid, .elapsed_ns = elapsed_ns,
		.state = e == BUDGET_EXCEEDED ? "exceeded" : "recovered",
		.python_type = node->counts_objects,
		.value = rep->value, .limit = rep->limit, .excess = rep->excess,
		.since_s = rep->since, .duration_s = rep->duration, .peak = rep->peak,
		.budget_level = node->depth, .budget_group = node->group,
	};

	snprintf(ev.budget, sizeof(ev.budget), "%s", rep->name);
	if (node->parent >= 0)
		snprintf(ev.budget_parent, sizeof(ev.budget_parent), "%s",
			 a->budget_nodes[node->parent].path);
	if (e == BUDGET_EXCEEDED && a->opts->fail_on_budget)
		a->budget_tripped = true;
	if (list && list->count < MAX_LISTED)
		list_add(list, &ev);
	emit(a, &ev);
}

static void check_budgets(struct analysis_runner *a, struct analysis_process *p,
			  const struct process_report *r, double t)
{
	const struct budget_node *nodes = a->budget_nodes;
	double values[ANALYSIS_MAX_BUDGETS];
	bool known[ANALYSIS_MAX_BUDGETS];

	/* An exited process's memory is gone, not back under its budget. */
	if (r->exited) {
		p->last_rss = 0;
		return;
	}
	note_for_process_budgets(p, r);
	for (int b = 0; b < a->opts->budget_count; b++) {
		bool bare = !a->opts->budgets[b].name;

		/* No RSS (a process exiting: a zombie has none) and no native counts: no value,
		 * not a value of 0 under the limit. */
		known[b] = !nodes[b].group && !nodes[b].over_processes &&
			   (!bare || r->rss_bytes || r->native_traced);
		values[b] = known[b] ? budget_value(p, bare ? NULL : nodes[b].metric, r) : 0;
	}
	budget_tree__sum_groups(nodes, a->opts->budget_count, values, known);
	for (int b = 0; b < a->opts->budget_count; b++) {
		struct budget_report rep;
		enum budget_event e;

		if (!known[b])
			continue;
		e = budget_watch__feed(&p->watches[b], t, values[b], &rep);
		if (e == BUDGET_EXCEEDED || e == BUDGET_RECOVERED)
			budget_event(a, &p->budget_list, p->pid, r->elapsed_ns, b, e, &rep);
	}
}

/* A process counts in a budget over processes when its metric names it. */
static bool process_matches(const struct analysis_process *p, const char *metric)
{
	if (!strcmp(metric, BUDGET_ALL_PROCESSES))
		return true;
	if (!strncmp(metric, "pid:", 4))
		return atol(metric + 4) == (long)p->pid;
	if (!strncmp(metric, "comm:", 5))
		return !strcmp(p->comm, metric + 5);
	metric += strlen("container:");
	return p->container[0] && !strncmp(p->container, metric, strlen(metric));
}

void analysis_runner__poll_done(struct analysis_runner *a, uint64_t now_ns)
{
	const struct budget_node *nodes = a->budget_nodes;
	double values[ANALYSIS_MAX_BUDGETS] = { 0 }, t;
	bool known[ANALYSIS_MAX_BUDGETS] = { false }, any = false;
	uint64_t elapsed = now_ns > a->start_ns ? now_ns - a->start_ns : 0;

	for (size_t i = 0; i < a->proc_count; i++)
		any |= a->procs[i]->last_rss != 0;
	/* No process running: no value, as for a process that exited. */
	if (!any)
		return;
	for (int b = 0; b < a->opts->budget_count; b++) {
		if (!nodes[b].over_processes || nodes[b].group)
			continue;
		/* A set of processes has a value when empty; one process, only while it runs. */
		known[b] = strncmp(nodes[b].metric, "pid:", 4) != 0;
		for (size_t i = 0; i < a->proc_count; i++)
			if (a->procs[i]->last_rss && process_matches(a->procs[i], nodes[b].metric)) {
				values[b] += (double)a->procs[i]->last_rss;
				known[b] = true;
			}
	}
	budget_tree__sum_groups(nodes, a->opts->budget_count, values, known);
	t = elapsed / 1e9;
	for (int b = 0; b < a->opts->budget_count; b++) {
		struct budget_report rep;
		enum budget_event e;

		if (!nodes[b].over_processes || !known[b])
			continue;
		e = budget_watch__feed(&a->process_watches[b], t, values[b], &rep);
		if (e == BUDGET_EXCEEDED || e == BUDGET_RECOVERED)
			budget_event(a, NULL, 0, elapsed, b, e, &rep);
	}
}

/* --- forecasts ---------------------------------------------------------------------- */

static void forecast_event(const struct analysis_process *p, const struct forecast_watch *w,
			   uint64_t elapsed, double horizon_s, struct analysis_event *ev)
{
	*ev = (struct analysis_event){
		.type = EVENT_FORECAST, .pid = p->pid, .elapsed_ns = elapsed,
		.python_type = w->counts_objects, .value = w->points[w->count - 1].value,
		.limit = w->limit, .growth_per_s = w->last.slope, .eta_s = w->last.eta_s,
		.eta_low_s = w->last.eta_low_s, .eta_high_s = w->last.eta_high_s,
		.horizon_s = horizon_s,
	};
	snprintf(ev->budget, sizeof(ev->budget), "%s", w->name);
}

static double forecast_horizon_s(const struct analysis_runner *a)
{
	return a->opts->forecast_horizon_ns ? a->opts->forecast_horizon_ns / 1e9
					    : FORECAST_DEFAULT_HORIZON_S;
}

/* Each budget's value and the cgroup's memory, towards their limits at the current trend. */
static void check_forecasts(struct analysis_runner *a, struct analysis_process *p,
			    const struct process_report *r, double t)
{
	double horizon_s = forecast_horizon_s(a);
	struct forecast_watch *w;
	struct analysis_event ev;

	if (r->exited || !p->forecasts || !scratch_of(a))
		return;
	for (int b = 0; b <= a->opts->budget_count; b++) {
		w = &p->forecasts[b];
		if (b == a->opts->budget_count) {
			if (!p->sys.cgroup_known || !p->sys.cgroup_max_known)
				continue;
			if (!forecast_watch__feed(w, t, (double)p->sys.cgroup_current,
						  (double)p->sys.cgroup_max, horizon_s, a->scratch))
				continue;
		} else {
			const struct budget_spec *spec = &a->opts->budgets[b];
			const struct budget_node *node = &a->budget_nodes[b];
			double value;

			/* A process's own metrics; groups and budgets over processes are sums
			 * that no one process's trend tells. */
			if (node->group || node->over_processes ||
			    (!spec->name && !r->rss_bytes && !r->native_traced))
				continue;
			value = budget_value(p, spec->name ? node->metric : NULL, r);
			if (!forecast_watch__feed(w, t, value, (double)spec->limit, horizon_s,
						  a->scratch))
				continue;
		}
		forecast_event(p, w, r->elapsed_ns, horizon_s, &ev);
		emit(a, &ev);
	}
}

/* --- fragmentation ------------------------------------------------------------------ */

/* Adds a point and judges the series; true when it was just found fragmenting. */
static bool judge_series(struct analysis_runner *a, struct frag_series *s, double t, double live,
			 double held, struct fragmentation_verdict *out, uint64_t elapsed)
{
	struct frag_verdict v;

	if (s->count == FRAG_MAX_POINTS) {
		memmove(s->points, s->points + 1, (FRAG_MAX_POINTS - 1) * sizeof(s->points[0]));
		s->count--;
	}
	s->points[s->count++] = (struct frag_point){ t, live, held };
	fragmentation__judge(s->points, s->count, a->scratch, &v);
	out->judged = s->count >= FRAG_MIN_POINTS;
	out->fragmenting = v.fragmenting;
	out->gap_growth_per_s = v.gap_growth_per_s;
	out->live_growth_per_s = v.live_growth_per_s;
	if (!v.fragmenting || out->found)
		return false;
	out->found = true;
	out->found_at_ns = elapsed;
	return true;
}

static void fragmentation_event(struct analysis_runner *a, pid_t pid, uint64_t elapsed,
				const char *allocator, double live, double held, double rss,
				const struct fragmentation_verdict *v)
{
	struct analysis_event ev = {
		.type = EVENT_FRAGMENTATION, .pid = pid, .elapsed_ns = elapsed, .live = live,
		.held = held, .rss = rss, .gap = held - live,
		.gap_growth_per_s = v->gap_growth_per_s, .growth_per_s = v->live_growth_per_s,
	};

	snprintf(ev.name, sizeof(ev.name), "%s", allocator);
	emit(a, &ev);
}

/* Reads what the allocators hold, and judges each one's series while its live bytes are
 * known: glibc's with exact native live bytes, pymalloc's from its own pools. */
static void check_fragmentation(struct analysis_runner *a, struct analysis_process *p,
				const struct process_report *r, double t)
{
	struct fragmentation_report *f = &p->frag;
	const struct pymalloc_usage *pm = &f->pymalloc;

	if (r->exited)      /* its memory is gone: the last figures stand */
		return;
	if (!a->libc_symtabs)
		a->libc_symtabs = symtab_cache__new();
	if (a->libc_symtabs)
		glibc_heap__locate(p->pid, a->libc_symtabs, &p->heap_locator);
	f->live_known = r->native_traced && !r->native_windowed &&
			!native_live_approximate(&r->native);
	/* The free lists (up to 8,192 system calls) only where the figures can be judged: not for
	 * every process of a scope. */
	glibc_heap__read(p->pid, &p->heap_locator, f->live_known, &f->glibc);
	f->held_known = f->glibc.arena_known || f->glibc.heap_known;
	f->held_bytes = f->glibc.arena_known ? f->glibc.held_bytes : f->glibc.heap_bytes;
	f->live_bytes = r->native_traced ? native_live_bytes(&r->native) : 0;
	f->pymalloc = r->python ? r->python->pymalloc : (struct pymalloc_usage){ 0 };
	f->rss_bytes = r->rss_bytes;
	f->glibc_verdict.judged = f->glibc_verdict.fragmenting = false;
	f->pymalloc_verdict.judged = f->pymalloc_verdict.fragmenting = false;
	if (!scratch_of(a))
		return;
	if (f->live_known && f->held_known &&
	    judge_series(a, &p->glibc_series, t, (double)f->live_bytes, (double)f->held_bytes,
			 &f->glibc_verdict, r->elapsed_ns))
		fragmentation_event(a, p->pid, r->elapsed_ns, "glibc", (double)f->live_bytes,
				    (double)f->held_bytes, (double)f->rss_bytes, &f->glibc_verdict);
	if (pm->blocks_known && !pm->blocks_partial &&
	    judge_series(a, &p->pymalloc_series, t, (double)pm->block_bytes,
			 (double)pm->arena_bytes, &f->pymalloc_verdict, r->elapsed_ns))
		fragmentation_event(a, p->pid, r->elapsed_ns, "pymalloc", (double)pm->block_bytes,
				    (double)pm->arena_bytes, (double)f->rss_bytes,
				    &f->pymalloc_verdict);
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
	if (a->opts->fail_on_leak)
		survival_watch__interval(&p->survival, r);
	check_leaks(a, p, r->elapsed_ns);
	check_frame_leaks(a, p, r->elapsed_ns);
	check_budgets(a, p, r, t);
	check_forecasts(a, p, r, t);
	check_fragmentation(a, p, r, t);
	r->fragmentation = &p->frag;
	check_drift(a, p, r, NULL);
}

void analysis_runner__interval(struct analysis_runner *a, struct analysis_process *p,
			       struct process_report *r)
{
	snapshot(a, p, r);
	interval_spike(a, p, r, ++p->interval_seq);
}

/* --- survival (at exit) --------------------------------------------------------------- */

/* A survival leak named by the stack's frames (those of the summary's stack report: borrowed
 * while the summary is written; a new series here could move the series that the listed
 * trend leaks point into) or the type's name. */
static void survival_leak(struct analysis_runner *a, struct analysis_process *p,
			  const struct process_report *r, const char *name,
			  const struct stack_report *st, const struct survival_counts *c,
			  const struct survival_result *res)
{
	struct analysis_event ev = {
		.type = EVENT_LEAK, .pid = p->pid, .elapsed_ns = r->elapsed_ns,
		.python_type = c->objects, .severity = res->severity, .growth_per_s = res->per_s,
		.live = c->objects ? c->survived : c->survived_bytes,
		.survival = true, .warmup_s = p->survival.taken_ns / 1e9, .made = c->made,
		.survived_share = res->share,
	};

	if (st) {
		ev.stack = st->frames;
		ev.depth = st->depth;
		ev.python_stack = st->python.depth ? &st->python : NULL;
	}
	snprintf(ev.name, sizeof(ev.name), "%s", name);
	if (a->opts->fail_on_leak && (int)res->severity >= a->opts->fail_on_leak_severity)
		a->leak_tripped = true;
	list_add(&p->leak_list, &ev);
	emit(a, &ev);
}

/* What the process made after warm-up and still held at its exit (survival.h). */
static void judge_survival(struct analysis_runner *a, struct analysis_process *p,
			   const struct process_report *r)
{
	struct survival_candidate *stacks, *types;
	size_t stack_count, type_count;
	struct survival_result res;

	if (survival_watch__exit(&p->survival, r, &stacks, &stack_count, &types, &type_count))
		return;
	for (size_t i = 0; i < stack_count; i++) {
		const struct stack_report *st = &r->stacks[stacks[i].index];

		if (survival__judge(&stacks[i].counts, stacks[i].span_s, NULL, &res) || !res.is_leak)
			continue;
		survival_leak(a, p, r, st->depth && st->frames[0] ? st->frames[0] : "?", st,
			      &stacks[i].counts, &res);
	}
	for (size_t i = 0; i < type_count; i++) {
		if (survival__judge(&types[i].counts, types[i].span_s, NULL, &res) || !res.is_leak)
			continue;
		survival_leak(a, p, r, r->python->types[types[i].index].name, NULL,
			      &types[i].counts, &res);
	}
	free(stacks);
	free(types);
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
	p->forecast_list.count = 0;
	for (int b = 0; p->forecasts && b <= a->opts->budget_count; b++) {
		const struct forecast_watch *w = &p->forecasts[b];
		struct analysis_event ev;

		if (!w->count || !w->last.known)
			continue;
		forecast_event(p, w, r->elapsed_ns, forecast_horizon_s(a), &ev);
		list_add(&p->forecast_list, &ev);
	}
	if (a->opts->fail_on_leak && r->exited)
		judge_survival(a, p, r);
	p->drift_list.count = 0;
	if (a->have_file_baseline || p->baseline_taken)
		check_drift(a, p, r, &p->drift_list);
	*s = (struct analysis_summary){
		.spikes = p->spike_list.items, .spike_count = p->spike_list.count,
		.spikes_total = p->spikes_total,
		.leaks = p->leak_list.items, .leak_count = p->leak_list.count,
		.drift = p->drift_list.items, .drift_count = p->drift_list.count,
		.budgets = p->budget_list.items, .budget_count = p->budget_list.count,
		.forecasts = p->forecast_list.items, .forecast_count = p->forecast_list.count,
		.frames_on = a->opts->frame_symbol != NULL, .frames = &p->frames,
		.frames_fps = frame_stats__fps(&p->frames),
		.leak_age_on = a->opts->leak_age_ns != 0, .leak_age_ns = a->opts->leak_age_ns,
		.aged = aged, .aged_count = aged_count,
		.drift_on = a->have_file_baseline || a->opts->warmup_set,
		.drift_baseline = a->have_file_baseline ? "file" :
				  p->baseline_taken ? "warmup" : NULL,
		.events_suppressed = a->rate.suppressed,
		.oom_killed = p->oom_killed,
	};
	r->analysis = s;
}

void analysis_runner__oom(struct analysis_runner *a, struct analysis_process *p,
			  const struct oom_victim *victim, const struct process_report *snapshot)
{
	struct analysis_event ev = {
		.type = EVENT_OOM, .pid = p->pid, .elapsed_ns = snapshot->elapsed_ns,
		.victim = *victim, .snapshot = snapshot,
	};

	if (p->oom_killed)
		return;
	if (snapshot->stack_count && snapshot->stacks[0].depth && snapshot->stacks[0].frames[0])
		snprintf(ev.name, sizeof(ev.name), "%s", snapshot->stacks[0].frames[0]);
	p->oom_killed = true;
	emit(a, &ev);
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
	struct analysis_runner *a;

	if (!p)
		return;
	a = p->runner;
	for (size_t i = 0; i < a->proc_count; i++)
		if (a->procs[i] == p) {
			a->procs[i] = a->procs[--a->proc_count];
			break;
		}
	spike_detector__free(p->spikes);
	for (size_t s = 0; s < p->series_count; s++)
		series_clear(&p->series[s]);
	free(p->series);
	free(p->frame_window);
	for (size_t d = 0; d < p->drifting_count; d++)
		free(p->drifting[d]);
	free(p->drifting);
	metric_set__free(&p->baseline);
	survival_watch__free(&p->survival);
	free(p->spike_list.items);
	free(p->budget_list.items);
	free(p->leak_list.items);
	free(p->drift_list.items);
	free(p->drift_events.items);
	free(p->forecast_list.items);
	free(p->forecasts);
	free(p);
}

void analysis_runner__free(struct analysis_runner *a)
{
	if (!a)
		return;
	metric_set__free(&a->file_baseline);
	symtab_cache__free(a->libc_symtabs);
	free(a->scratch);
	free(a->procs);
	free(a);
}
