// SPDX-License-Identifier: GPL-2.0
/* The lines of a saved --json run back into process, frame and event reports (json-c), fed
 * to the outputs in the order the live session fed them: a process's "gc" lines join its
 * next interval, intervals add up to the cumulative counts, events and frames go as read. */
#include "report/ndjson_replay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "model/analysis_events.h"
#include "model/frame_report.h"
#include "model/report.h"
#include "output/output.h"
#include "util/grow.h"

/* What one line's reports point to, freed once the line has been fed. */
struct arena {
	void **items;
	size_t count, cap;
	bool failed;
};

static void *keep(struct arena *a, void *p)
{
	if (!p || grow_for_one((void **)&a->items, &a->cap, a->count, sizeof(*a->items))) {
		free(p);
		a->failed = true;
		return NULL;
	}
	return a->items[a->count++] = p;
}

static void *zalloc(struct arena *a, size_t count, size_t size)
{
	return keep(a, calloc(count ? count : 1, size));
}

static void arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->count; i++)
		free(a->items[i]);
	a->count = 0;
}

/* Per process while reading: its counts so far (an interval line has its own), and its
 * collections read since its last interval line. */
struct replay_process {
	int pid;
	struct native_totals native;
	struct mmap_totals mmap;
	struct python_gc_event *gc;
	size_t gc_count, gc_cap;
	struct arena gc_arena;       /* the collections' trigger stacks */
};

struct replay {
	struct output *const *outputs;
	size_t output_count;
	struct replay_process *procs;
	size_t proc_count, proc_cap;
	struct arena line;
	struct replay_stats *stats;
};

/* A key's value; NULL when absent or null. */
static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static uint64_t u64(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v ? json_object_get_uint64(v) : 0;
}

static int64_t i64(struct json_object *o, const char *key, int64_t missing)
{
	struct json_object *v = get(o, key);

	return v ? json_object_get_int64(v) : missing;
}

static double dbl(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v ? json_object_get_double(v) : 0;
}

static bool boolean(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v && json_object_get_boolean(v);
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void copy_str(char *to, size_t size, const char *from)
{
	snprintf(to, size, "%s", from ? from : "");
}

static size_t array_length(struct json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static struct replay_process *process_of(struct replay *r, int pid)
{
	for (size_t i = 0; i < r->proc_count; i++)
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	if (grow_for_one((void **)&r->procs, &r->proc_cap, r->proc_count, sizeof(*r->procs)))
		return NULL;
	r->procs[r->proc_count] = (struct replay_process){ .pid = pid };
	return &r->procs[r->proc_count++];
}

static void read_native(struct json_object *o, struct native_totals *n)
{
	struct json_object *hist = get(o, "size_histogram");

	memset(n, 0, sizeof(*n));
#define COUNTER_FIELD(name, doc) n->name = u64(o, #name);
	NATIVE_COUNTERS(COUNTER_FIELD)
#undef COUNTER_FIELD
	for (size_t i = 0; i < array_length(hist); i++) {
		struct json_object *b = json_object_array_get_idx(hist, i);
		uint64_t min = u64(b, "min");
		int bucket = 0;

		while (min > 1 && bucket + 1 < ALLOC_SIZE_BUCKETS) {
			min >>= 1;
			bucket++;
		}
		n->size_hist[bucket] = u64(b, "count");
	}
}

static void read_mmap(struct json_object *o, struct mmap_totals *m)
{
#define COUNTER_FIELD(sign, name) m->name = (MMAP_TOTAL_##sign)i64(o, #name, 0);
	MMAP_COUNTERS(COUNTER_FIELD)
#undef COUNTER_FIELD
}

static void add_native(struct native_totals *to, const struct native_totals *d)
{
#define COUNTER_FIELD(name, doc) to->name += d->name;
	NATIVE_COUNTERS(COUNTER_FIELD)
#undef COUNTER_FIELD
	for (int b = 0; b < ALLOC_SIZE_BUCKETS; b++)
		to->size_hist[b] += d->size_hist[b];
}

static void add_mmap(struct mmap_totals *to, const struct mmap_totals *d)
{
#define COUNTER_FIELD(sign, name) to->name += d->name;
	MMAP_COUNTERS(COUNTER_FIELD)
#undef COUNTER_FIELD
}

/* "python_stack": [{function, file, line}] into st (frames from the arena). */
static void read_python_stack(struct arena *a, struct json_object *o, struct python_stack *st)
{
	struct json_object *frames = get(o, "python_stack");
	size_t n = array_length(frames);

	*st = (struct python_stack){ .truncated = boolean(o, "python_stack_truncated") };
	if (!n || !(st->frames = zalloc(a, n, sizeof(*st->frames))))
		return;
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(frames, i);

		copy_str(st->frames[i].function, sizeof(st->frames[i].function), str(f, "function"));
		copy_str(st->frames[i].file, sizeof(st->frames[i].file), str(f, "file"));
		st->frames[i].line = (int)i64(f, "line", -1);
	}
	st->depth = n;
}

/* An array of strings; the strings stay the line's (read-only). */
static char **read_strings(struct arena *a, struct json_object *array, size_t *count)
{
	size_t n = array_length(array);
	char **items = zalloc(a, n, sizeof(*items));

	*count = items ? n : 0;
	for (size_t i = 0; i < *count; i++)
		items[i] = (char *)json_object_get_string(json_object_array_get_idx(array, i));
	return items;
}

static struct python_report *read_python(struct replay *r, struct json_object *o,
					 struct replay_process *p)
{
	struct json_object *types = get(o, "types"), *gc = get(o, "gc"), *mem = get(o, "memory");
	struct json_object *collections = get(gc, "collections"), *untimed = get(gc, "untimed");
	struct python_report *py = zalloc(&r->line, 1, sizeof(*py));
	size_t n = array_length(types);
	const char *mode = str(o, "mode");

	if (!py)
		return NULL;
	copy_str(py->version, sizeof(py->version), str(o, "version"));
	py->mode = mode && !strcmp(mode, "events") ? "events" : "census";
	py->last_seen = boolean(o, "last_seen");
	if (n && (py->types = zalloc(&r->line, n, sizeof(*py->types))))
		py->type_count = n;
	for (size_t i = 0; i < py->type_count; i++) {
		struct json_object *t = json_object_array_get_idx(types, i);
		struct python_type_report *out = &py->types[i];

		copy_str(out->name, sizeof(out->name), str(t, "name"));
		out->has_live = get(t, "live") != NULL;
		out->live = u64(t, "live");
		out->live_bytes = u64(t, "live_bytes");
		out->peak_live = u64(t, "peak_live");
		out->has_events = get(t, "created") != NULL;
		out->created = u64(t, "created");
		out->destroyed = u64(t, "destroyed");
	}
	py->gc_known = array_length(collections) == 3;
	for (size_t g = 0; py->gc_known && g < 3; g++)
		py->gc_collections[g] = json_object_get_uint64(json_object_array_get_idx(collections, g));
	py->gc_counts_known = get(gc, "collected") != NULL;
	py->gc_collected = u64(gc, "collected");
	py->gc_uncollectable = u64(gc, "uncollectable");
	py->gc_time_known = get(gc, "time_ns") != NULL;
	py->gc_time_ns = u64(gc, "time_ns");
	py->gc_events_dropped = u64(gc, "events_dropped");
	py->gc_young_unlisted = u64(gc, "young_unlisted");
	for (size_t g = 0; array_length(untimed) == 3 && g < 3; g++)
		py->gc_untimed[g] = json_object_get_uint64(json_object_array_get_idx(untimed, g));
	py->objects_known = get(mem, "objects") != NULL;
	py->objects = u64(mem, "objects");
	py->object_bytes = u64(mem, "object_bytes");
	py->objects_peak = u64(mem, "objects_peak");
	py->census_partial = boolean(mem, "census_partial");
	py->arenas_known = get(mem, "pymalloc_arena_bytes") != NULL;
	py->arena_bytes = u64(mem, "pymalloc_arena_bytes");
	if (p) {      /* an interval: the collections read since the last one */
		py->gc_events = p->gc;
		py->gc_event_count = p->gc_count;
	}
	return py;
}

static void read_header(struct json_object *o, struct process_report *rep)
{
	const char *mode = str(o, "native_mode");

	rep->pid = (pid_t)i64(o, "pid", 0);
	copy_str(rep->comm, sizeof(rep->comm), str(o, "comm"));
	rep->exited = boolean(o, "exited");
	rep->elapsed_ns = u64(o, "elapsed_ns");
	rep->attach_ns = u64(o, "attach_ns");
	rep->rss_bytes = u64(o, "rss_bytes");
	rep->native_traced = !mode || strcmp(mode, "off");
	rep->native_windowed = mode && !strcmp(mode, "windowed");
	rep->exact_share = dbl(o, "exact_share");
	rep->exact_windows = (unsigned int)u64(o, "exact_windows");
}

static void feed_interval(struct replay *r, struct json_object *o)
{
	struct process_report rep = { 0 };
	struct replay_process *p;
	struct json_object *py = get(o, "python");

	read_header(o, &rep);
	if (!(p = process_of(r, rep.pid))) {
		r->line.failed = true;
		return;
	}
	rep.interval_ns = u64(o, "interval_ns");
	if (get(o, "native")) {
		read_native(get(o, "native"), &rep.native_delta);
		add_native(&p->native, &rep.native_delta);
	}
	read_mmap(get(o, "mmap"), &rep.mmap_delta);
	add_mmap(&p->mmap, &rep.mmap_delta);
	rep.native = p->native;
	rep.mmap = p->mmap;
	if (py)
		rep.python = read_python(r, py, p);
	for (size_t i = 0; i < r->output_count; i++)
		output__interval(r->outputs[i], &rep);
	p->gc_count = 0;
	arena_free(&p->gc_arena);
	r->stats->intervals++;
}

static void read_gc(struct replay *r, struct json_object *o)
{
	struct replay_process *p = process_of(r, (int)i64(o, "pid", 0));
	struct python_gc_event *g;

	if (!p || grow_for_one((void **)&p->gc, &p->gc_cap, p->gc_count, sizeof(*p->gc))) {
		r->line.failed = true;
		return;
	}
	g = &p->gc[p->gc_count++];
	*g = (struct python_gc_event){
		.generation = (int)i64(o, "generation", -1), .start_ns = u64(o, "start_ns"),
		.duration_ns = u64(o, "duration_ns"), .collected = i64(o, "collected", -1),
		.uncollectable = i64(o, "uncollectable", -1),
	};
	read_python_stack(&p->gc_arena, o, &g->trigger);
	r->stats->gc_runs++;
}

static enum analysis_event_type event_type(const char *type)
{
	return !strcmp(type, "leak") ? EVENT_LEAK : !strcmp(type, "drift") ? EVENT_DRIFT :
	       !strcmp(type, "budget") ? EVENT_BUDGET :
	       !strcmp(type, "fragmentation") ? EVENT_FRAGMENTATION :
	       !strcmp(type, "forecast") ? EVENT_FORECAST :
	       !strcmp(type, "oom") ? EVENT_OOM : EVENT_SPIKE;
}

static void read_event(struct arena *a, struct json_object *o, enum analysis_event_type type,
		       int pid, struct analysis_event *ev)
{
	const char *unit = str(o, "unit"), *kind = str(o, "kind");

	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->pid = pid;
	ev->elapsed_ns = u64(o, "elapsed_ns");
	switch (type) {
	case EVENT_SPIKE:
		ev->in_frame = get(o, "frame") != NULL;
		ev->seq = u64(o, ev->in_frame ? "frame" : "interval");
		ev->bytes = dbl(o, "bytes");
		ev->baseline_bytes = dbl(o, "baseline_bytes");
		ev->ratio = dbl(o, "ratio");
		ev->mads = dbl(o, "mads");
		ev->over_limit = str(o, "rule") && !strcmp(str(o, "rule"), "spike_bytes");
		copy_str(ev->top, sizeof(ev->top), str(o, "top"));
		ev->top_bytes = dbl(o, "top_bytes");
		copy_str(ev->top_python, sizeof(ev->top_python), str(o, "top_python"));
		copy_str(ev->top_type, sizeof(ev->top_type), str(o, "top_type"));
		ev->top_type_growth = dbl(o, "top_type_growth");
		break;
	case EVENT_LEAK:
		ev->python_type = kind && !strcmp(kind, "python_type");
		copy_str(ev->name, sizeof(ev->name), str(o, "name"));
		ev->stack = read_strings(a, get(o, "stack"), &ev->depth);
		if (get(o, "python_stack")) {
			struct python_stack *st = zalloc(a, 1, sizeof(*st));

			if (st)
				read_python_stack(a, o, st);
			ev->python_stack = st;
		}
		if (!str(o, "severity") || !leak_severity_parse(str(o, "severity"), &ev->severity))
			ev->severity = LEAK_SEVERITY_NONE;
		ev->growth_per_s = dbl(o, "growth_per_s");
		ev->live = dbl(o, "live");
		ev->samples = (size_t)u64(o, "samples");
		break;
	case EVENT_DRIFT:
		copy_str(ev->metric, sizeof(ev->metric), str(o, "metric"));
		ev->baseline = dbl(o, "baseline");
		ev->current = dbl(o, "current");
		ev->change = dbl(o, "change");
		ev->rel = dbl(o, "rel");
		break;
	case EVENT_BUDGET:
		copy_str(ev->budget, sizeof(ev->budget), str(o, "budget"));
		ev->state = str(o, "state");
		ev->value = dbl(o, "value");
		ev->limit = dbl(o, "limit");
		ev->excess = dbl(o, "excess");
		ev->since_s = dbl(o, "since_s");
		ev->duration_s = dbl(o, "duration_s");
		ev->peak = dbl(o, "peak");
		ev->python_type = unit && !strcmp(unit, "objects");
		break;
	case EVENT_FRAGMENTATION:
		copy_str(ev->name, sizeof(ev->name), str(o, "allocator"));
		ev->live = dbl(o, "live_bytes");
		ev->held = dbl(o, "held_bytes");
		ev->rss = dbl(o, "rss_bytes");
		ev->gap = dbl(o, "gap_bytes");
		ev->gap_growth_per_s = dbl(o, "gap_growth_per_s");
		ev->growth_per_s = dbl(o, "live_growth_per_s");
		break;
	case EVENT_FORECAST:
		copy_str(ev->budget, sizeof(ev->budget), str(o, "limit_of"));
		ev->value = dbl(o, "value");
		ev->limit = dbl(o, "limit");
		ev->growth_per_s = dbl(o, "growth_per_s");
		ev->eta_s = dbl(o, "eta_s");
		ev->eta_low_s = dbl(o, "eta_low_s");
		ev->eta_high_s = get(o, "eta_high_s") && !json_object_is_type(get(o, "eta_high_s"),
									   json_type_null) ?
				 dbl(o, "eta_high_s") : INFINITY;
		ev->horizon_s = dbl(o, "horizon_s");
		ev->python_type = unit && !strcmp(unit, "objects");
		break;
	case EVENT_OOM:   /* its snapshot is the process's summary, also in the run */
		copy_str(ev->name, sizeof(ev->name), str(o, "top"));
		break;
	}
}

static void feed_event(struct replay *r, struct json_object *o, const char *type)
{
	struct analysis_event ev;

	read_event(&r->line, o, event_type(type), (int)i64(o, "pid", 0), &ev);
	for (size_t i = 0; i < r->output_count; i++)
		output__event(r->outputs[i], &ev);
	r->stats->events++;
}

static void feed_frame(struct replay *r, struct json_object *o)
{
	struct frame_report f = { 0 };
	struct json_object *stages = get(o, "stages");

	f.pid = (pid_t)i64(o, "pid", 0);
	f.seq = u64(o, "seq");
	f.start_ns = u64(o, "start_ns");
	f.end_ns = f.start_ns + u64(o, "duration_ns");
	f.native_known = get(o, "allocs") != NULL;
	f.allocs = u64(o, "allocs");
	f.frees = u64(o, "frees");
	f.bytes_allocated = u64(o, "bytes_allocated");
	f.bytes_freed = u64(o, "bytes_freed");
	f.live_bytes = u64(o, "live_bytes");
	f.live_allocs = u64(o, "live_allocs");
	f.lost = u64(o, "lost_before");
	f.dropped = boolean(o, "dropped");
	f.fps = dbl(o, "fps");
	f.gc_known = get(o, "gc_runs") != NULL;
	f.gc_runs = u64(o, "gc_runs");
	f.objects_known = get(o, "objects_created") != NULL;
	f.objects_created = u64(o, "objects_created");
	f.objects_freed = u64(o, "objects_freed");
	if (stages && json_object_is_type(stages, json_type_object)) {
		json_object_object_foreach(stages, name, s) {
			struct frame_stage_report *st;

			if (f.stage_count >= FRAMES_MAX_STAGES)
				break;
			st = &f.stages[f.stage_count++];
			*st = (struct frame_stage_report){
				.name = name, .allocs = u64(s, "allocs"), .frees = u64(s, "frees"),
				.bytes_allocated = u64(s, "bytes_allocated"),
				.bytes_freed = u64(s, "bytes_freed"),
				.duration_ns = u64(s, "duration_ns"), .hits = u64(s, "hits"),
			};
		}
	}
	for (size_t i = 0; i < r->output_count; i++)
		output__frame(r->outputs[i], &f);
	r->stats->frames++;
}

static void read_stack(struct replay *r, struct json_object *o, struct stack_report *st)
{
	struct json_object *parts = get(o, "native_frames");

	st->stack_id = (int)i64(o, "stack_id", -1);
	st->live_bytes = u64(o, "live_bytes");
	st->live_allocs = u64(o, "live_allocs");
	st->allocs = u64(o, "allocs");
	st->bytes_allocated = u64(o, "bytes_allocated");
	st->frames = read_strings(&r->line, get(o, "frames"), &st->depth);
	read_python_stack(&r->line, o, &st->python);
	if (!parts) {
		r->stats->stacks_without_parts++;
		return;
	}
	if (array_length(parts) != st->depth || !(st->parts = zalloc(&r->line, st->depth,
								     sizeof(*st->parts))))
		return;
	for (size_t f = 0; f < st->depth; f++) {
		struct json_object *p = json_object_array_get_idx(parts, f);

		st->parts[f] = (struct stack_frame){
			.ip = u64(p, "ip"), .function = str(p, "function"), .module = str(p, "module"),
			.module_start = u64(p, "module_start"), .module_limit = u64(p, "module_limit"),
			.module_offset = u64(p, "module_offset"),
		};
	}
}

/* The events of a summary list ("leaks": [...]) into an array from the arena. */
static struct analysis_event *read_event_list(struct replay *r, struct json_object *o,
					      const char *key, enum analysis_event_type type,
					      int pid, size_t *count)
{
	struct json_object *list = get(o, key);
	size_t n = array_length(list);
	struct analysis_event *evs = zalloc(&r->line, n, sizeof(*evs));

	*count = evs ? n : 0;
	for (size_t i = 0; i < *count; i++)
		read_event(&r->line, json_object_array_get_idx(list, i), type, pid, &evs[i]);
	return evs;
}

static struct analysis_summary *read_analysis(struct replay *r, struct json_object *o, int pid)
{
	struct analysis_summary *s;

	if (!get(o, "spikes") && !get(o, "leaks"))
		return NULL;
	if (!(s = zalloc(&r->line, 1, sizeof(*s))))
		return NULL;
	s->spikes = read_event_list(r, o, "spikes", EVENT_SPIKE, pid, &s->spike_count);
	s->spikes_total = (size_t)u64(o, "spikes_total");
	s->leaks = read_event_list(r, o, "leaks", EVENT_LEAK, pid, &s->leak_count);
	s->drift_on = get(o, "drift") != NULL;
	s->drift = read_event_list(r, o, "drift", EVENT_DRIFT, pid, &s->drift_count);
	s->drift_baseline = str(o, "drift_baseline");
	s->budgets = read_event_list(r, o, "budgets", EVENT_BUDGET, pid, &s->budget_count);
	s->events_suppressed = u64(o, "events_suppressed");
	return s;
}

static void feed_summary(struct replay *r, struct json_object *o)
{
	struct process_report rep = { 0 };
	struct json_object *stacks = get(o, "stacks"), *peak = get(o, "native_peak");
	struct json_object *last = get(o, "native_last_running"), *py = get(o, "python");
	struct native_totals *last_running;
	size_t n = array_length(stacks);

	read_header(o, &rep);
	rep.attach_realtime_ns = u64(o, "attach_realtime_ns");
	if (get(o, "native"))
		read_native(get(o, "native"), &rep.native);
	read_mmap(get(o, "mmap"), &rep.mmap);
	rep.peak = (struct native_peak){ u64(peak, "live_bytes"), u64(peak, "live_allocs"),
					 u64(peak, "elapsed_ns") };
	if (last && (last_running = zalloc(&r->line, 1, sizeof(*last_running)))) {
		/* What the line keeps of it: live figures and the calls. */
		last_running->allocs = u64(last, "allocs");
		last_running->frees = u64(last, "frees");
		last_running->bytes_allocated = u64(last, "live_bytes");
		last_running->dropped = last_running->allocs - last_running->frees -
					u64(last, "live_allocs");
		last_running->bytes_dropped = 0;
		rep.last_running = last_running;
	}
	if (n && (rep.stacks = zalloc(&r->line, n, sizeof(*rep.stacks))))
		rep.stack_count = n;
	for (size_t i = 0; i < rep.stack_count; i++)
		read_stack(r, json_object_array_get_idx(stacks, i), &rep.stacks[i]);
	if (py)
		rep.python = read_python(r, py, NULL);
	rep.analysis = read_analysis(r, o, rep.pid);
	for (size_t i = 0; i < r->output_count; i++)
		output__summary(r->outputs[i], &rep);
	r->stats->summaries++;
}

static bool feed_line(struct replay *r, const char *text)
{
	struct json_object *o = json_tokener_parse(text);
	const char *type = str(o, "type");

	if (!o || !json_object_is_type(o, json_type_object) || !type) {
		json_object_put(o);
		return false;
	}
	if (!strcmp(type, "interval"))
		feed_interval(r, o);
	else if (!strcmp(type, "summary"))
		feed_summary(r, o);
	else if (!strcmp(type, "frame"))
		feed_frame(r, o);
	else if (!strcmp(type, "gc"))
		read_gc(r, o);
	else if (!strcmp(type, "spike") || !strcmp(type, "leak") || !strcmp(type, "drift") ||
		 !strcmp(type, "budget") || !strcmp(type, "fragmentation") ||
		 !strcmp(type, "forecast") || !strcmp(type, "oom"))
		feed_event(r, o, type);
	/* Other lines (a later version's) are skipped. */
	arena_free(&r->line);
	json_object_put(o);
	return true;
}

enum replay_result ndjson_replay(FILE *in, struct output *const *outputs, size_t count,
				 struct replay_stats *stats)
{
	struct replay r = { .outputs = outputs, .output_count = count, .stats = stats };
	enum replay_result result = REPLAY_OK;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(stats, 0, sizeof(*stats));
	while ((len = getline(&line, &cap, in)) >= 0) {
		stats->lines++;
		if (len <= 1 && (len == 0 || line[0] == '\n'))
			continue;
		if (!feed_line(&r, line)) {
			stats->bad_line = stats->lines;
			result = REPLAY_NOT_NDJSON;
			break;
		}
		if (r.line.failed) {
			result = REPLAY_NO_MEMORY;
			break;
		}
	}
	if (result == REPLAY_OK && !stats->summaries)
		result = REPLAY_NO_SUMMARY;
	free(line);
	arena_free(&r.line);
	free(r.line.items);
	for (size_t i = 0; i < r.proc_count; i++) {
		arena_free(&r.procs[i].gc_arena);
		free(r.procs[i].gc_arena.items);
		free(r.procs[i].gc);
	}
	free(r.procs);
	return result;
}
