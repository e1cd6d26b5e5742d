// SPDX-License-Identifier: GPL-2.0
/* CPython collector: detection, census or event mode, GC events, per traced process. */
#include "probes/python/python_tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/gc/gc_tracer.h"
#include "python.h"
#include "python.skel.h"
#include "target/elf_symbols.h"
#include "target/python/census.h"
#include "target/python/detect.h"
#include "util/grow.h"

#define MAX_PY_PROCS 64
#define DETECT_ATTEMPTS 50           /* reports to wait for a launched command's interpreter */
#define CENSUS_CACHE_BYTES (1ul << 30)

enum py_state { PY_PENDING, PY_ACTIVE, PY_OFF };

/* Collections remembered for --frame: more than a frame ever holds. */
#define PY_GC_STARTS 256

struct py_proc {
	pid_t pid;
	enum py_state state;
	int attempts;
	struct py_target target;
	struct remote_mem *mem;
	struct py_census census;
	uint64_t gc_state;
	bool gc_probed, events_probed;
	struct py_gc_stats stats_at_attach, stats_at_report;
	bool stats_known;
	struct python_gc_event *events;  /* collections since the previous report */
	size_t event_count, event_cap;
	size_t events_reported;          /* the first ones of events went in the last report */
	uint64_t gc_time_interval, gc_time_total;
	uint64_t gc_starts[PY_GC_STARTS]; /* start times of the latest collections, for frames */
	uint64_t gc_start_total;
	struct python_report report;
	struct python_type_report *types;
	size_t type_cap;
};

struct python_tracer {
	enum python_mode mode;
	struct symtab_cache *cache;
	struct gc_tracer *gc;
	bool gc_failed;
	struct python_bpf *skel;
	bool events_failed;
	struct bpf_link **links;
	size_t link_count, link_cap;
	struct py_proc procs[MAX_PY_PROCS];
	int proc_count;
	int ncpus;
};

static struct py_proc *find_proc(struct python_tracer *pt, pid_t pid)
{
	for (int i = 0; i < pt->proc_count; i++)
		if (pt->procs[i].pid == pid)
			return &pt->procs[i];
	return NULL;
}

static void on_gc_event(void *ctx, const struct gc_event *e)
{
	struct py_proc *p = find_proc(ctx, (pid_t)e->tgid);

	if (!p)
		return;
	if (p->event_count == p->event_cap) {
		size_t cap = p->event_cap ? p->event_cap * 2 : 64;
		struct python_gc_event *more = realloc(p->events, cap * sizeof(*more));

		if (!more)
			return;
		p->events = more;
		p->event_cap = cap;
	}
	p->events[p->event_count++] = (struct python_gc_event){
		.generation = e->generation, .start_ns = e->start_ns, .duration_ns = e->duration_ns,
		.collected = e->collected, .uncollectable = e->uncollectable,
	};
	p->gc_time_interval += e->duration_ns;
	p->gc_time_total += e->duration_ns;
	p->gc_starts[p->gc_start_total++ % PY_GC_STARTS] = e->start_ns;
}

struct python_tracer *python_tracer__new(enum python_mode mode, struct symtab_cache *cache)
{
	struct python_tracer *pt;
	int err;

	if (mode == PYTHON_MODE_OFF)
		return NULL;
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return NULL;
	pt->mode = mode;
	pt->cache = cache;
	pt->ncpus = libbpf_num_possible_cpus();
	err = gc_tracer__open(&pt->gc, on_gc_event, pt);
	if (err) {
		fprintf(stderr, "memtrace-bpf: python: GC events off: cannot load the GC probes: %s\n",
			strerror(-err));
		pt->gc_failed = true;
	}
	if (mode == PYTHON_MODE_EVENTS) {
		pt->skel = python_bpf__open_and_load();
		if (!pt->skel) {
			fprintf(stderr, "memtrace-bpf: python: event mode off: cannot load its probes: "
				"%s\n", strerror(errno));
			pt->events_failed = true;
		}
	}
	return pt;
}

static int keep_link(struct python_tracer *pt, struct bpf_link *link)
{
	/* A link we cannot keep is detached now rather than leaked. */
	if (grow_for_one((void **)&pt->links, &pt->link_cap, pt->link_count, sizeof(*pt->links))) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	pt->links[pt->link_count++] = link;
	return 0;
}

static int attach_symbol(struct python_tracer *pt, struct bpf_program *prog,
			 const struct py_target *t, const char *name, bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe);
	const struct elf_symbol *sym = elf_symtab__find(t->tab, name, true);
	struct bpf_link *link;
	uint64_t offset;

	if (!sym || strcmp(sym->name, name) || !elf_symtab__vaddr_to_offset(t->tab, sym->vaddr, &offset))
		return -ENOENT;
	link = bpf_program__attach_uprobe_opts(prog, t->pid, t->open_path, offset, &opts);
	if (!link)
		return -errno;
	return keep_link(pt, link);
}

/* Event mode: tp_alloc and tp_free of every class are called through type slots, so they
 * stay real calls even in an LTO build. */
static void attach_events(struct python_tracer *pt, struct py_proc *p)
{
	int err;

	if (!pt->skel)
		return;
	/* The free probe first: an object made while the probes are attached must not stay
	 * live forever because its free went unseen. */
	err = attach_symbol(pt, pt->skel->progs.py_free_enter, &p->target, "PyObject_GC_Del", false);
	if (!err)
		err = attach_symbol(pt, pt->skel->progs.py_alloc_exit, &p->target, "PyType_GenericAlloc", true);
	if (err) {
		fprintf(stderr, "memtrace-bpf: python: PID %d: event mode unavailable (%s in %s: %s); "
			"types will be null\n", (int)p->pid, "PyType_GenericAlloc/PyObject_GC_Del",
			p->target.path, strerror(-err));
		return;
	}
	p->events_probed = true;
}

static void activate(struct python_tracer *pt, struct py_proc *p)
{
	char why[512];

	p->mem = remote_mem__new(p->pid, CENSUS_CACHE_BYTES);
	if (!p->mem) {
		p->state = PY_OFF;
		return;
	}
	py_target__gc_state(&p->target, &p->gc_state);
	if (!py_census__stats(&p->target, p->mem, &p->census) && p->census.stats_ok) {
		p->stats_known = true;
		p->stats_at_attach = p->census.gc;
		p->stats_at_report = p->census.gc;
	}
	if (pt->gc && gc_tracer__attach(pt->gc, &p->target, p->gc_state + p->target.off.gc_stats,
					why, sizeof(why)) == 0)
		p->gc_probed = true;
	else if (pt->gc)
		fprintf(stderr, "memtrace-bpf: python: PID %d: GC events off: %s\n", (int)p->pid, why);
	if (pt->mode == PYTHON_MODE_EVENTS)
		attach_events(pt, p);
	p->state = PY_ACTIVE;
	if (pt->mode == PYTHON_MODE_EVENTS) {
		/* One census at attach names the builtin types that event mode cannot count. */
		py_census__take(&p->target, p->mem, &p->census);
	}
}

static void try_detect(struct python_tracer *pt, struct py_proc *p, bool last_chance)
{
	char why[512];
	enum py_detect r = py_target__detect(p->pid, pt->cache, &p->target, why, sizeof(why));

	switch (r) {
	case PY_DETECT_OK:
		activate(pt, p);
		return;
	case PY_DETECT_NOT_READY:
	case PY_DETECT_NOT_PYTHON:
		/* A launched command may not have exec'd its interpreter yet. */
		if (!last_chance && ++p->attempts < DETECT_ATTEMPTS)
			return;
		fprintf(stderr, "memtrace-bpf: python: PID %d: %s; native tracing only\n", (int)p->pid,
			why);
		break;
	case PY_DETECT_UNSUPPORTED:
		fprintf(stderr, "memtrace-bpf: python: PID %d: %s; native tracing only\n", (int)p->pid,
			why);
		break;
	case PY_DETECT_GONE:
		break;
	}
	p->state = PY_OFF;
}

void python_tracer__attach(struct python_tracer *pt, pid_t pid)
{
	struct py_proc *p;

	if (!pt || pt->proc_count == MAX_PY_PROCS || find_proc(pt, pid))
		return;
	p = &pt->procs[pt->proc_count++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->state = PY_PENDING;
	try_detect(pt, p, false);
}

static struct python_type_report *add_type(struct py_proc *p)
{
	struct python_report *r = &p->report;

	if (r->type_count == p->type_cap) {
		size_t cap = p->type_cap ? p->type_cap * 2 : 128;
		struct python_type_report *more = realloc(p->types, cap * sizeof(*more));

		if (!more)
			return NULL;
		p->types = more;
		p->type_cap = cap;
	}
	r->types = p->types;
	memset(&p->types[r->type_count], 0, sizeof(p->types[0]));
	return &p->types[r->type_count++];
}

static void fill_census_types(struct py_proc *p)
{
	for (size_t i = 0; i < p->census.count; i++) {
		struct python_type_report *tr = add_type(p);

		if (!tr)
			return;
		snprintf(tr->name, sizeof(tr->name), "%s", p->census.types[i].name);
		tr->has_live = true;
		tr->live = p->census.types[i].live;
		tr->live_bytes = p->census.types[i].live_bytes;
	}
}

static struct python_type_report *find_type(struct py_proc *p, const char *name)
{
	for (size_t i = 0; i < p->report.type_count; i++)
		if (!strcmp(p->types[i].name, name))
			return &p->types[i];
	return NULL;
}

static int compare_types(const void *a, const void *b)
{
	const struct python_type_report *x = a, *y = b;

	if (x->has_live != y->has_live)
		return x->has_live ? -1 : 1;
	if (x->live != y->live)
		return x->live < y->live ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Event mode: heap types from the kernel's counts; builtins named by the attach census
 * with null counts. */
static void fill_event_types(struct python_tracer *pt, struct py_proc *p)
{
	int fd = bpf_map__fd(pt->skel->maps.py_types);
	struct py_type_key key, next, *prev = NULL;
	struct py_type_stats st;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (key.tgid != (unsigned int)p->pid || bpf_map_lookup_elem(fd, &key, &st))
			continue;
		{
			char name[64];
			struct python_type_report *tr;

			st.name[sizeof(st.name) - 1] = '\0';
			py_type_short_name(st.name, false, name, sizeof(name));
			if (!py_type_name_valid(name))
				continue;
			tr = find_type(p, name);
			if (!tr && !(tr = add_type(p)))
				return;
			snprintf(tr->name, sizeof(tr->name), "%s", name);
			tr->has_live = tr->has_events = true;
			tr->created += st.created;
			tr->destroyed += st.destroyed;
			tr->live += st.created - st.destroyed;
			tr->live_bytes += st.bytes_created - st.bytes_destroyed;
		}
	}
	for (size_t i = 0; i < p->census.count; i++) {
		struct python_type_report *tr;

		if (find_type(p, p->census.types[i].name) || !(tr = add_type(p)))
			continue;
		snprintf(tr->name, sizeof(tr->name), "%s", p->census.types[i].name);
	}
}

static void fill_gc(struct python_tracer *pt, struct py_proc *p, bool summary)
{
	struct python_report *r = &p->report;
	const struct py_gc_stats *base = summary ? &p->stats_at_attach : &p->stats_at_report;

	if (p->census.stats_ok && p->stats_known) {
		r->gc_known = r->gc_counts_known = true;
		for (int g = 0; g < 3; g++) {
			r->gc_collections[g] = p->census.gc.collections[g] - base->collections[g];
			r->gc_collected += p->census.gc.collected[g] - base->collected[g];
			r->gc_uncollectable += p->census.gc.uncollectable[g] - base->uncollectable[g];
		}
		p->stats_at_report = p->census.gc;
	} else if (p->gc_probed && !summary) {
		r->gc_known = true;
		for (size_t i = 0; i < p->event_count; i++)
			if (p->events[i].generation >= 0)
				r->gc_collections[p->events[i].generation]++;
	}
	if (p->gc_probed) {
		r->gc_time_known = true;
		r->gc_time_ns = summary ? p->gc_time_total : p->gc_time_interval;
		r->gc_events_dropped = gc_tracer__dropped(pt->gc);
	}
	if (!summary) {
		r->gc_events = p->events;
		r->gc_event_count = p->event_count;
		p->events_reported = p->event_count;
	}
}

const struct python_report *python_tracer__report(struct python_tracer *pt, pid_t pid,
						  bool summary, bool exited)
{
	struct py_proc *p = pt ? find_proc(pt, pid) : NULL;
	struct python_report *r;

	if (!p)
		return NULL;
	if (p->state == PY_PENDING && !exited)
		try_detect(pt, p, summary);
	if (p->state != PY_ACTIVE)
		return NULL;
	r = &p->report;
	/* The collections reported last time are done with; those polled since (for frames)
	 * go in this report. */
	for (size_t i = 0; i < p->events_reported; i++)
		p->gc_time_interval -= p->events[i].duration_ns;
	p->event_count -= p->events_reported;
	if (p->events_reported) /* p->events is NULL until the first GC event */
		memmove(p->events, p->events + p->events_reported,
			p->event_count * sizeof(*p->events));
	p->events_reported = 0;
	if (pt->gc)
		gc_tracer__poll(pt->gc);
	memset(r, 0, sizeof(*r));
	memcpy(r->version, p->target.version_str, sizeof(r->version));
	r->version[sizeof(r->version) - 1] = '\0';
	if (!exited) {
		if (pt->mode == PYTHON_MODE_CENSUS)
			py_census__take(&p->target, p->mem, &p->census);
		else
			py_census__stats(&p->target, p->mem, &p->census);
	} else {
		p->census.stats_ok = false;
	}
	if (pt->mode == PYTHON_MODE_CENSUS) {
		r->mode = "census";
		if (!exited)
			fill_census_types(p);
		r->objects_known = !exited;
		r->objects = p->census.objects;
		r->object_bytes = p->census.bytes;
		r->census_partial = p->census.partial;
	} else {
		r->mode = "events";
		if (p->events_probed)
			fill_event_types(pt, p);
	}
	if (r->type_count)
		qsort(p->types, r->type_count, sizeof(*p->types), compare_types);
	r->arenas_known = p->census.arenas_ok && !exited;
	r->arena_bytes = p->census.arena_bytes;
	fill_gc(pt, p, summary);
	return r;
}

int python_tracer__counters_fd(const struct python_tracer *pt)
{
	return pt && pt->skel ? bpf_map__fd(pt->skel->maps.py_counters) : -1;
}

bool python_tracer__gc_runs(struct python_tracer *pt, pid_t pid, uint64_t start_ns,
			   uint64_t end_ns, uint64_t *runs)
{
	struct py_proc *p = pt ? find_proc(pt, pid) : NULL;
	uint64_t n;

	*runs = 0;
	if (!p || p->state != PY_ACTIVE || !p->gc_probed || !pt->gc)
		return false;
	gc_tracer__poll(pt->gc);
	n = p->gc_start_total < PY_GC_STARTS ? p->gc_start_total : PY_GC_STARTS;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t = p->gc_starts[(p->gc_start_total - 1 - i) % PY_GC_STARTS];

		if (t >= start_ns && t < end_ns)
			++*runs;
	}
	return true;
}

void python_tracer__destroy(struct python_tracer *pt)
{
	if (!pt)
		return;
	for (size_t i = 0; i < pt->link_count; i++)
		bpf_link__destroy(pt->links[i]);
	free(pt->links);
	gc_tracer__destroy(pt->gc);
	python_bpf__destroy(pt->skel);
	for (int i = 0; i < pt->proc_count; i++) {
		struct py_proc *p = &pt->procs[i];

		remote_mem__free(p->mem);
		py_census__free(&p->census);
		free(p->events);
		free(p->types);
	}
	free(pt);
}
