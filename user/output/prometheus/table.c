// SPDX-License-Identifier: GPL-2.0
#include "output/prometheus/table.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/analysis_events.h"
#include "model/frame_report.h"
#include "target/cgroup_labels.h"
#include "target/sysctx.h"

/* As many series as the analysis follows per process (analysis/runner.c). */
#define LEAK_SERIES_MAX 256
#define DRIFT_METRICS_MAX 32
#define BUDGETS_MAX 16
#define SEVERITIES (LEAK_SEVERITY_CRITICAL + 1)

/* Frame durations: around 60 and 30 FPS, then coarser. */
static const double frame_bounds[] = { 0.001, 0.002, 0.004, 0.008, 0.0167, 0.0333, 0.05, 0.1,
				       0.25, 0.5, 1, 2.5, 5, 10 };
#define FRAME_BUCKETS (sizeof(frame_bounds) / sizeof(frame_bounds[0]))

struct prom_type {
	char name[64];
	uint64_t live, live_bytes;
};

struct prom_leak {
	uint64_t key;                /* hash of the series: kind and name */
	enum leak_severity severity; /* the latest the analysis reported */
};

struct prom_named {
	char name[96];
	double value;
};

#define PROM_GPU_DEVICES 16          /* devices served per process, at most */

struct prom_gpu {
	char device[12];             /* the label's value */
	uint64_t allocs, live, reserved, allocated;
};

struct prom_process {
	pid_t pid;
	bool reported;               /* an interval or summary came: comm and labels known */
	bool exited;                 /* summarized: served once more, then dropped */
	char comm[32];
	char cgroup[512];
	char *labels;                /* pid,comm,cgroup,container,pod="..." */
	bool native_known;
	uint64_t allocs, frees, bytes_allocated, bytes_freed, dropped, stack_dropped;
	bool rss_known, pss_known, cgroup_known, cgroup_limit_known;
	uint64_t rss, pss, cgroup_bytes, cgroup_limit;
	bool python_known;
	struct prom_type *types;     /* top_types of them */
	size_t type_count;
	bool gc_known, gc_time_known;
	uint64_t gc_collections[3], gc_ns, gc_dropped;
	struct prom_leak *leaks;
	size_t leak_count;
	uint64_t leak_detections[SEVERITIES];
	struct prom_named drift[DRIFT_METRICS_MAX];
	size_t drift_count;
	struct prom_named budgets[BUDGETS_MAX];
	size_t budget_count;
	struct prom_named forecasts[BUDGETS_MAX + 1];   /* the budgets and the cgroup */
	size_t forecast_count;
	bool oom_killed;             /* an oom event came */
	uint64_t frames, frames_lost, frame_buckets[FRAME_BUCKETS];
	double frame_seconds;
	bool gpu_caching;            /* allocated bytes are known */
	struct prom_gpu gpu[PROM_GPU_DEVICES];
	size_t gpu_count;            /* 0: no CUDA library probed */
};

int prom_table__init(struct prom_table *t, uint32_t top_types, bool frames_on,
		     size_t exited_limit)
{
	*t = (struct prom_table){ .top_types = top_types, .frames_on = frames_on,
				  .exited_limit = exited_limit };
	return -pthread_mutex_init(&t->lock, NULL);
}

static void process_free(struct prom_process *p)
{
	free(p->labels);
	free(p->types);
	free(p->leaks);
	free(p);
}

static void remove_at(struct prom_table *t, size_t i)
{
	process_free(t->procs[i]);
	memmove(&t->procs[i], &t->procs[i + 1], (t->count - i - 1) * sizeof(*t->procs));
	t->count--;
}

/* The running process with this PID; made if there is none. An exited entry with the same
 * PID goes first: two entries with the same labels would make a scrape fail. */
static struct prom_process *process_for(struct prom_table *t, pid_t pid)
{
	struct prom_process *p;

	for (size_t i = 0; i < t->count; i++) {
		if (t->procs[i]->pid != pid)
			continue;
		if (!t->procs[i]->exited)
			return t->procs[i];
		remove_at(t, i);
		break;
	}
	if (t->count == t->capacity) {
		size_t cap = t->capacity ? t->capacity * 2 : 16;
		struct prom_process **more = realloc(t->procs, cap * sizeof(*more));

		if (!more)
			return NULL;
		t->procs = more;
		t->capacity = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->types = calloc(t->top_types ? t->top_types : 1, sizeof(*p->types));
	if (!p->types) {
		free(p);
		return NULL;
	}
	p->pid = pid;
	t->procs[t->count++] = p;
	return p;
}

/* For events and frames: the newest entry with this PID, exited or not (a frame drained after
 * the summary must not bring a process back); made if there is none. */
static struct prom_process *entry_for(struct prom_table *t, pid_t pid)
{
	for (size_t i = t->count; i-- > 0;)
		if (t->procs[i]->pid == pid)
			return t->procs[i];
	return process_for(t, pid);
}

static void set_labels(struct prom_process *p, const char *comm, const char *cgroup)
{
	struct prom_text text = { 0 };
	struct cgroup_labels labels;

	if (p->labels && !strcmp(p->comm, comm) && !strcmp(p->cgroup, cgroup))
		return;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	snprintf(p->cgroup, sizeof(p->cgroup), "%s", cgroup);
	prom_text__printf(&text, "pid=\"%d\",comm=\"", (int)p->pid);
	prom_text__label_value(&text, comm);
	prom_text__append(&text, "\"", 1);
	if (cgroup[0]) {
		prom_text__append(&text, ",cgroup=\"", 9);
		prom_text__label_value(&text, cgroup);
		prom_text__append(&text, "\"", 1);
		cgroup_labels__parse(cgroup, &labels);
		if (labels.container[0])
			prom_text__printf(&text, ",container=\"%s\"", labels.container);
		if (labels.pod[0])
			prom_text__printf(&text, ",pod=\"%s\"", labels.pod);
	}
	if (text.failed) {
		prom_text__free(&text);
		return;   /* the old labels stay */
	}
	free(p->labels);
	p->labels = text.data;
}

/* The top_types Python types by live count; a name seen twice is one series (the sum). */
static void update_types(struct prom_table *t, struct prom_process *p,
			 const struct python_report *py)
{
	p->type_count = 0;
	for (size_t i = 0; i < py->type_count; i++) {
		const struct python_type_report *ty = &py->types[i];
		struct prom_type *slot = NULL;
		size_t j;

		if (!ty->has_live)
			continue;
		for (j = 0; j < p->type_count && !slot; j++)
			if (!strcmp(p->types[j].name, ty->name))
				slot = &p->types[j];
		if (!slot) {
			if (p->type_count < t->top_types) {
				slot = &p->types[p->type_count++];
				*slot = (struct prom_type){ 0 };
				snprintf(slot->name, sizeof(slot->name), "%s", ty->name);
			} else {
				/* Replaces the smallest kept, if this one is larger. */
				size_t min = 0;

				for (j = 1; j < p->type_count; j++)
					if (p->types[j].live < p->types[min].live)
						min = j;
				if (!p->type_count || ty->live <= p->types[min].live)
					continue;
				slot = &p->types[min];
				*slot = (struct prom_type){ 0 };
				snprintf(slot->name, sizeof(slot->name), "%s", ty->name);
			}
		}
		slot->live += ty->live;
		slot->live_bytes += ty->live_bytes;
	}
}

static void update_gpu(struct prom_process *p, const struct gpu_report *g)
{
	p->gpu_count = 0;
	p->gpu_caching = g && g->caching;
	for (size_t i = 0; g && i < g->device_count && i < PROM_GPU_DEVICES; i++) {
		const struct gpu_device_report *d = &g->devices[i];
		struct prom_gpu *out = &p->gpu[p->gpu_count++];

		snprintf(out->device, sizeof(out->device), "%d", d->device);
		out->allocs = d->allocs;
		out->live = gpu_live_bytes(g, d);
		out->reserved = d->reserved_bytes;
		out->allocated = d->allocated_bytes;
	}
}

static void update_process(struct prom_table *t, struct prom_process *p,
			   const struct process_report *r, bool summary)
{
	const struct system_context *sys = r->system;
	const struct python_report *py = r->python;

	set_labels(p, r->comm, sys ? sys->cgroup : "");
	p->reported = true;
	p->native_known = r->native_traced;
	p->allocs = r->native.allocs;
	p->frees = r->native.frees;
	p->bytes_allocated = r->native.bytes_allocated;
	p->bytes_freed = r->native.bytes_freed;
	p->dropped = r->native.dropped;
	p->stack_dropped = r->native.stack_dropped;
	p->rss_known = !r->exited && r->rss_bytes;
	p->rss = r->rss_bytes;
	p->pss_known = sys && sys->pss_known;
	p->pss = sys ? sys->pss_bytes : 0;
	p->cgroup_known = sys && sys->cgroup_known;
	p->cgroup_bytes = sys ? sys->cgroup_current : 0;
	p->cgroup_limit_known = sys && sys->cgroup_max_known;
	p->cgroup_limit = sys ? sys->cgroup_max : 0;
	update_gpu(p, r->gpu);
	p->python_known = py != NULL;
	if (!py)
		return;
	update_types(t, p, py);
	if (py->gc_known) {
		/* An interval's collections are its own; the summary's are since attach. */
		for (int g = 0; g < 3; g++)
			p->gc_collections[g] = py->gc_collections[g] +
					       (summary ? 0 : p->gc_collections[g]);
		p->gc_known = true;
	}
	if (py->gc_time_known) {
		p->gc_ns = py->gc_time_ns + (summary ? 0 : p->gc_ns);
		p->gc_dropped = py->gc_events_dropped;   /* cumulative already */
		p->gc_time_known = true;
	}
}

void prom_table__interval(struct prom_table *t, const struct process_report *r)
{
	struct prom_process *p;

	pthread_mutex_lock(&t->lock);
	if ((p = process_for(t, r->pid)))
		update_process(t, p, r, false);
	pthread_mutex_unlock(&t->lock);
}

/* Beyond exited_limit (nobody scrapes), the oldest exited entry goes. */
static void bound_exited(struct prom_table *t)
{
	size_t exited = 0;

	for (size_t i = 0; i < t->count; i++)
		exited += t->procs[i]->exited;
	for (size_t i = 0; i < t->count && exited > t->exited_limit;) {
		if (t->procs[i]->exited) {
			remove_at(t, i);
			exited--;
		} else {
			i++;
		}
	}
}

void prom_table__summary(struct prom_table *t, const struct process_report *r)
{
	struct prom_process *p;

	pthread_mutex_lock(&t->lock);
	if ((p = process_for(t, r->pid))) {
		update_process(t, p, r, true);
		p->exited = true;
		bound_exited(t);
	}
	pthread_mutex_unlock(&t->lock);
}

static uint64_t series_key(bool python_type, const char *name)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)python_type;   /* FNV-1a */

	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * 1099511628211ull;
	return h;
}

static void note_leak(struct prom_process *p, const struct analysis_event *ev)
{
	uint64_t key = series_key(ev->python_type, ev->name);
	size_t i;

	if (ev->severity >= SEVERITIES)
		return;
	p->leak_detections[ev->severity]++;
	for (i = 0; i < p->leak_count && p->leaks[i].key != key; i++)
		;
	if (i == p->leak_count) {
		if (p->leak_count == LEAK_SERIES_MAX ||
		    (!p->leaks && !(p->leaks = calloc(LEAK_SERIES_MAX, sizeof(*p->leaks)))))
			return;
		p->leaks[p->leak_count++].key = key;
	}
	p->leaks[i].severity = ev->severity;
}

static void note_named(struct prom_named *list, size_t *count, size_t max, const char *name,
		       double value)
{
	size_t i;

	for (i = 0; i < *count && strcmp(list[i].name, name); i++)
		;
	if (i == *count) {
		if (*count == max)
			return;
		snprintf(list[i].name, sizeof(list[i].name), "%s", name);
		(*count)++;
	}
	list[i].value = value;
}

void prom_table__event(struct prom_table *t, const struct analysis_event *ev)
{
	struct prom_process *p;

	pthread_mutex_lock(&t->lock);
	p = ev->pid ? entry_for(t, ev->pid) : NULL;   /* pid 0: a budget over processes */
	if (p && ev->type == EVENT_LEAK)
		note_leak(p, ev);
	else if (p && ev->type == EVENT_DRIFT)
		note_named(p->drift, &p->drift_count, DRIFT_METRICS_MAX, ev->metric, ev->rel);
	else if (p && ev->type == EVENT_BUDGET && ev->limit > 0)
		note_named(p->budgets, &p->budget_count, BUDGETS_MAX, ev->budget,
			   ev->value / ev->limit);
	else if (p && ev->type == EVENT_FORECAST)
		note_named(p->forecasts, &p->forecast_count, BUDGETS_MAX + 1, ev->budget,
			   ev->eta_s);
	else if (p && ev->type == EVENT_OOM)
		p->oom_killed = true;
	pthread_mutex_unlock(&t->lock);
}

void prom_table__frame(struct prom_table *t, const struct frame_report *f)
{
	double seconds = f->end_ns > f->start_ns ? (f->end_ns - f->start_ns) / 1e9 : 0;
	struct prom_process *p;

	pthread_mutex_lock(&t->lock);
	if ((p = entry_for(t, f->pid))) {
		size_t b = 0;

		while (b < FRAME_BUCKETS && seconds > frame_bounds[b])
			b++;
		if (b < FRAME_BUCKETS)
			p->frame_buckets[b]++;
		p->frames++;
		p->frame_seconds += seconds;
		p->frames_lost = f->lost;
	}
	pthread_mutex_unlock(&t->lock);
}

/* --- rendering ---------------------------------------------------------------------- */

/* name{labels[,label="value"]} : the value follows. */
static void open_sample(struct prom_text *o, const char *name, const struct prom_process *p,
			const char *label, const char *value)
{
	prom_text__printf(o, "%s{%s", name, p->labels);
	if (label) {
		prom_text__printf(o, ",%s=\"", label);
		prom_text__label_value(o, value);
		prom_text__append(o, "\"", 1);
	}
	prom_text__append(o, "} ", 2);
}

static void sample_u64(struct prom_text *o, const char *name, const struct prom_process *p,
		       const char *label, const char *value, uint64_t v)
{
	open_sample(o, name, p, label, value);
	prom_text__printf(o, "%" PRIu64 "\n", v);
}

static void sample_double(struct prom_text *o, const char *name, const struct prom_process *p,
			  const char *label, const char *value, double v)
{
	open_sample(o, name, p, label, value);
	prom_text__double(o, v);
	prom_text__append(o, "\n", 1);
}

struct family {
	const char *name, *type, *help;
	void (*samples)(struct prom_text *o, const struct family *f, const struct prom_table *t,
			const struct prom_process *p);
};

#define NATIVE_FIELD(fn, expr)                                                              \
	static void fn(struct prom_text *o, const struct family *f,                          \
		       const struct prom_table *t, const struct prom_process *p)             \
	{                                                                                    \
		(void)t;                                                                     \
		if (p->native_known)                                                         \
			sample_u64(o, f->name, p, NULL, NULL, (expr));                       \
	}
NATIVE_FIELD(samples_native_allocs, p->allocs)
NATIVE_FIELD(samples_native_frees, p->frees)
NATIVE_FIELD(samples_native_bytes_allocated, p->bytes_allocated)
NATIVE_FIELD(samples_native_bytes_freed, p->bytes_freed)
NATIVE_FIELD(samples_native_live_bytes, p->bytes_allocated - p->bytes_freed)
NATIVE_FIELD(samples_native_live_allocs, p->allocs - p->frees)

static void gauge_if(struct prom_text *o, const struct family *f, const struct prom_process *p,
		     bool known, uint64_t v)
{
	if (known)
		sample_u64(o, f->name, p, NULL, NULL, v);
}

static void rss(struct prom_text *o, const struct family *f, const struct prom_table *t,
		const struct prom_process *p)
{
	(void)t;
	gauge_if(o, f, p, p->rss_known, p->rss);
}

static void pss(struct prom_text *o, const struct family *f, const struct prom_table *t,
		const struct prom_process *p)
{
	(void)t;
	gauge_if(o, f, p, p->pss_known, p->pss);
}

static void cgroup_bytes(struct prom_text *o, const struct family *f,
			 const struct prom_table *t, const struct prom_process *p)
{
	(void)t;
	gauge_if(o, f, p, p->cgroup_known, p->cgroup_bytes);
}

static void cgroup_limit(struct prom_text *o, const struct family *f,
			 const struct prom_table *t, const struct prom_process *p)
{
	(void)t;
	gauge_if(o, f, p, p->cgroup_limit_known, p->cgroup_limit);
}

static void python_objects(struct prom_text *o, const struct family *f,
			   const struct prom_table *t, const struct prom_process *p)
{
	(void)t;
	for (size_t i = 0; p->python_known && i < p->type_count; i++)
		sample_u64(o, f->name, p, "type", p->types[i].name, p->types[i].live);
}

static void python_object_bytes(struct prom_text *o, const struct family *f,
				const struct prom_table *t, const struct prom_process *p)
{
	(void)t;
	for (size_t i = 0; p->python_known && i < p->type_count; i++)
		sample_u64(o, f->name, p, "type", p->types[i].name, p->types[i].live_bytes);
}

static void gc_collections(struct prom_text *o, const struct family *f,
			   const struct prom_table *t, const struct prom_process *p)
{
	static const char *const generations[] = { "0", "1", "2" };

	(void)t;
	for (int g = 0; p->gc_known && g < 3; g++)
		sample_u64(o, f->name, p, "generation", generations[g], p->gc_collections[g]);
}

static void gc_seconds(struct prom_text *o, const struct family *f, const struct prom_table *t,
		       const struct prom_process *p)
{
	(void)t;
	if (p->gc_time_known)
		sample_double(o, f->name, p, NULL, NULL, p->gc_ns / 1e9);
}

static void leaks(struct prom_text *o, const struct family *f, const struct prom_table *t,
		  const struct prom_process *p)
{
	(void)t;
	for (int s = LEAK_SEVERITY_LOW; s < SEVERITIES; s++) {
		uint64_t n = 0;

		for (size_t i = 0; i < p->leak_count; i++)
			n += p->leaks[i].severity == (enum leak_severity)s;
		sample_u64(o, f->name, p, "severity", leak_severity_name(s), n);
	}
}

static void leak_detections(struct prom_text *o, const struct family *f,
			    const struct prom_table *t, const struct prom_process *p)
{
	(void)t;
	for (int s = LEAK_SEVERITY_LOW; s < SEVERITIES; s++)
		sample_u64(o, f->name, p, "severity", leak_severity_name(s),
			   p->leak_detections[s]);
}

static void drift(struct prom_text *o, const struct family *f, const struct prom_table *t,
		  const struct prom_process *p)
{
	(void)t;
	for (size_t i = 0; i < p->drift_count; i++)
		sample_double(o, f->name, p, "metric", p->drift[i].name, p->drift[i].value);
}

static void budgets(struct prom_text *o, const struct family *f, const struct prom_table *t,
		    const struct prom_process *p)
{
	(void)t;
	for (size_t i = 0; i < p->budget_count; i++)
		sample_double(o, f->name, p, "budget", p->budgets[i].name, p->budgets[i].value);
}

static void forecasts(struct prom_text *o, const struct family *f, const struct prom_table *t,
		      const struct prom_process *p)
{
	(void)t;
	for (size_t i = 0; i < p->forecast_count; i++)
		sample_double(o, f->name, p, "limit", p->forecasts[i].name, p->forecasts[i].value);
}

static void oom_killed(struct prom_text *o, const struct family *f,
		       const struct prom_table *t, const struct prom_process *p)
{
	(void)t;
	if (p->oom_killed)
		sample_u64(o, f->name, p, NULL, NULL, 1);
}

static void frames(struct prom_text *o, const struct family *f, const struct prom_table *t,
		   const struct prom_process *p)
{
	if (t->frames_on)
		sample_u64(o, f->name, p, NULL, NULL, p->frames);
}

static void frame_durations(struct prom_text *o, const struct family *f,
			    const struct prom_table *t, const struct prom_process *p)
{
	char name[96], le[32];
	uint64_t below = 0;

	if (!t->frames_on)
		return;
	snprintf(name, sizeof(name), "%s_bucket", f->name);
	for (size_t b = 0; b < FRAME_BUCKETS; b++) {
		below += p->frame_buckets[b];
		snprintf(le, sizeof(le), "%g", frame_bounds[b]);
		sample_u64(o, name, p, "le", le, below);
	}
	sample_u64(o, name, p, "le", "+Inf", p->frames);
	snprintf(name, sizeof(name), "%s_sum", f->name);
	sample_double(o, name, p, NULL, NULL, p->frame_seconds);
	snprintf(name, sizeof(name), "%s_count", f->name);
	sample_u64(o, name, p, NULL, NULL, p->frames);
}

static void dropped(struct prom_text *o, const struct family *f, const struct prom_table *t,
		    const struct prom_process *p)
{
	if (p->native_known) {
		sample_u64(o, f->name, p, "kind", "allocation", p->dropped);
		sample_u64(o, f->name, p, "kind", "stack", p->stack_dropped);
	}
	if (p->gc_time_known)
		sample_u64(o, f->name, p, "kind", "gc", p->gc_dropped);
	if (t->frames_on)
		sample_u64(o, f->name, p, "kind", "frame", p->frames_lost);
}

#define GPU_FIELD(fn, known, field)                                                         \
	static void fn(struct prom_text *o, const struct family *f,                          \
		       const struct prom_table *t, const struct prom_process *p)             \
	{                                                                                    \
		(void)t;                                                                     \
		for (size_t i = 0; (known) && i < p->gpu_count; i++)                         \
			sample_u64(o, f->name, p, "device", p->gpu[i].device, p->gpu[i].field); \
	}
GPU_FIELD(gpu_allocs, true, allocs)
GPU_FIELD(gpu_live, true, live)
GPU_FIELD(gpu_reserved, true, reserved)
GPU_FIELD(gpu_allocated, p->gpu_caching, allocated)

static const struct family families[] = {
	{ "memtrace_native_allocations_total", "counter",
	  "Allocations (malloc family) since attach", samples_native_allocs },
	{ "memtrace_native_frees_total", "counter",
	  "Frees of blocks allocated since attach", samples_native_frees },
	{ "memtrace_native_allocated_bytes_total", "counter",
	  "Bytes requested by allocations since attach", samples_native_bytes_allocated },
	{ "memtrace_native_freed_bytes_total", "counter",
	  "Bytes of the blocks allocated since attach and freed", samples_native_bytes_freed },
	{ "memtrace_native_live_bytes", "gauge",
	  "Bytes allocated since attach and not freed yet", samples_native_live_bytes },
	{ "memtrace_native_live_allocations", "gauge",
	  "Allocations made since attach and not freed yet", samples_native_live_allocs },
	{ "memtrace_process_rss_bytes", "gauge", "Resident set size", rss },
	{ "memtrace_process_pss_bytes", "gauge", "Proportional set size (smaps_rollup)", pss },
	{ "memtrace_python_objects", "gauge",
	  "Live Python objects of the type (the top types by count)", python_objects },
	{ "memtrace_python_object_bytes", "gauge",
	  "Bytes of the live Python objects of the type", python_object_bytes },
	{ "memtrace_python_gc_collections_total", "counter",
	  "Python garbage collections of the generation since attach", gc_collections },
	{ "memtrace_python_gc_seconds_total", "counter",
	  "Time spent in Python garbage collections since attach", gc_seconds },
	{ "memtrace_leaks", "gauge",
	  "Series (native stacks, Python types) found leaking, by their latest severity", leaks },
	{ "memtrace_leak_detections_total", "counter",
	  "Leak events (a new leak, or a leak graver than before)", leak_detections },
	{ "memtrace_drift_ratio", "gauge",
	  "Relative change of the metric from its baseline when it drifted", drift },
	{ "memtrace_budget_usage_ratio", "gauge",
	  "Value over limit of the budget at its last crossing", budgets },
	{ "memtrace_forecast_seconds", "gauge",
	  "Time until the limit (a budget, the cgroup's) as foretold by its last forecast event, "
	  "as of that event", forecasts },
	{ "memtrace_oom_killed", "gauge",
	  "1: the kernel's OOM killer picked the process (absent otherwise)", oom_killed },
	{ "memtrace_frames_total", "counter", "Frames ended since attach (--frame)", frames },
	{ "memtrace_frame_duration_seconds", "histogram", "Frame durations (--frame)",
	  frame_durations },
	{ "memtrace_dropped_events_total", "counter",
	  "Events lost: allocations not tracked (map full), stacks not recorded, GC events "
	  "and frames lost (ring buffer full)", dropped },
	{ "memtrace_cgroup_memory_bytes", "gauge", "The cgroup's memory.current",
	  cgroup_bytes },
	{ "memtrace_cgroup_memory_limit_bytes", "gauge",
	  "The cgroup's memory.max (absent when there is no limit)", cgroup_limit },
	{ "memtrace_gpu_allocations_total", "counter",
	  "CUDA runtime and driver allocations on the device since attach", gpu_allocs },
	{ "memtrace_gpu_live_bytes", "gauge",
	  "GPU memory in use: the caching allocator's blocks where one is probed, else "
	  "reserved bytes", gpu_live },
	{ "memtrace_gpu_reserved_bytes", "gauge",
	  "Device memory held from the CUDA runtime and driver (a caching allocator's "
	  "segments)", gpu_reserved },
	{ "memtrace_gpu_allocated_bytes", "gauge",
	  "Bytes of the caching allocator's blocks (tensors) on the device", gpu_allocated },
};

int prom_table__render(struct prom_table *t, struct prom_text *out)
{
	pthread_mutex_lock(&t->lock);
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		prom_text__printf(out, "# HELP %s ", families[f].name);
		prom_text__help(out, families[f].help);
		prom_text__printf(out, "\n# TYPE %s %s\n", families[f].name, families[f].type);
		for (size_t i = 0; i < t->count; i++)
			if (t->procs[i]->reported && t->procs[i]->labels)
				families[f].samples(out, &families[f], t, t->procs[i]);
	}
	for (size_t i = 0; i < t->count;) {
		if (t->procs[i]->exited && !out->failed)
			remove_at(t, i);
		else
			i++;
	}
	pthread_mutex_unlock(&t->lock);
	return out->failed ? -ENOMEM : 0;
}

void prom_table__free(struct prom_table *t)
{
	for (size_t i = 0; i < t->count; i++)
		process_free(t->procs[i]);
	free(t->procs);
	pthread_mutex_destroy(&t->lock);
	*t = (struct prom_table){ 0 };
}
