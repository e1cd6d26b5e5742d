// SPDX-License-Identifier: GPL-2.0
/* CPython collector: detection, census or event mode, GC events, per traced process. */
#include "probes/python/python_tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/report.h"
#include "probes/gc/gc_tracer.h"
#include "python.h"
#include "python.skel.h"
#include "probes/probe_links.h"
#include "target/elf_symbols.h"
#include "analysis/gc_probe_gate.h"
#include "target/python/census.h"
#include "target/python/retainers.h"
#include "target/python/detect.h"
#include "probes/python/python_sites.h"
#include "probes/python/python_stacks.h"
#include "util/grow.h"

#define DETECT_ATTEMPTS 50           /* reports to wait for a launched command's interpreter */
#define CENSUS_CACHE_BYTES (1ul << 30)
/* Retainer lookups of one process per report (each bounded in retainers.c). */
#define RETAINER_LOOKUPS_PER_REPORT 4

enum py_state { PY_PENDING, PY_ACTIVE, PY_OFF };

/* Collections remembered for --frame: more than a frame ever holds. */
#define PY_GC_STARTS 256
/* Map entries read (or deleted) per system call. */
#define MAP_BATCH 4096
/* Event mode: the sites whose stacks each report names, those a summary merges by their
 * named stacks (most live bytes first), and those it lists. */
#define PY_SITES_NAMED 20
#define PY_SITES_MERGED 512
#define PY_SITES_REPORTED 20

/* The most live of one type at any report while the interpreter ran. */
struct py_peak {
	char name[PY_TYPE_NAME_MAX];
	uint64_t live;
};

/* The last report taken while the interpreter ran: what the summary shows once it has ended
 * (after its shutdown freed everything, a census would find next to nothing). */
struct py_last_running {
	bool valid;
	struct python_type_report *types;
	size_t type_count, type_cap;
	bool objects_known, census_partial, arenas_known;
	uint64_t objects, object_bytes, arena_bytes;
	struct pymalloc_usage pymalloc;
	bool stats_known;
	struct py_gc_stats stats;
	uint64_t gc_time_total;
};

struct py_proc {
	pid_t pid;
	enum py_state state;
	int attempts;
	bool may_start_later;            /* a launched command: its interpreter may come later */
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
	/* The GC probes' totals (every collection they timed, listed as an event or not): as
	 * last read, and at the previous report */
	struct gc_totals gc_totals, gc_totals_at_report;
	struct gc_probe_gate gc_gate;    /* the default mode pauses the GC probes when too busy */
	uint64_t gc_untimed_at_report[3];
	int gc_pause_told;               /* said on stderr once */
	uint64_t gc_starts[PY_GC_STARTS]; /* start times of the latest collections, for frames */
	uint64_t gc_start_total;
	struct python_report report;
	struct python_type_report *types;
	size_t type_cap;
	struct py_last_running last;
	struct py_peak *peaks;           /* sorted by name */
	size_t peak_count, peak_cap;
	uint64_t objects_peak;
	bool kernel_released;            /* probes detached, map entries deleted */
	struct py_gc_fingerprint census_fingerprint; /* at the last census walked */
	uint64_t census_walked_ns;       /* CLOCK_MONOTONIC */
	int retainer_lookups;            /* since the last report */
	struct pycode_cache *code_names; /* Python stacks' frames, named */
	struct named_stack *stacks;      /* Python stacks named so far: a process that exited
					  * can no longer be read */
	size_t stack_count, stack_cap;
	struct python_sites sites;       /* event mode: as last read while it ran */
	struct python_site_report *site_reports;  /* the summary's, python stacks copied */
	size_t site_report_count;
};

struct named_stack {
	int id;
	struct python_stack stack;
};

struct python_tracer {
	enum python_mode mode;
	struct symtab_cache *cache;
	struct gc_tracer *gc;
	bool gc_failed;
	struct python_bpf *skel;
	bool events_failed;
	struct probe_links links;        /* event mode's probes, per process */
	int stack_configs_fd, stacks_fd; /* bpf/python_stack.bpf.h's maps; -1: none */
	unsigned int stack_depth;
	struct py_proc **procs;          /* pointers: a report stays valid while the table grows */
	size_t proc_count, proc_cap;
	int ncpus;
	bool quiet_not_python;           /* a scope: most processes are not Python */
	uint64_t temporary_ns;           /* --temporary-ms, for the event mode's lifetimes */
	bool gc_gated;                   /* the default mode: analysis/gc_probe_gate.h */
};

_Static_assert(PY_LIFETIME_BUCKETS == LIFETIME_BUCKETS, "one lifetime histogram layout");

void python_tracer__set_temporary_ns(struct python_tracer *pt, uint64_t temporary_ns)
{
	if (pt)
		pt->temporary_ns = temporary_ns;
}

void python_tracer__set_gc_young_gap(struct python_tracer *pt, uint64_t ns)
{
	if (pt)
		gc_tracer__set_young_gap(pt->gc, ns);
}

void python_tracer__set_gc_gated(struct python_tracer *pt, bool gated)
{
	if (pt)
		pt->gc_gated = gated;
}

void python_tracer__quiet_not_python(struct python_tracer *pt)
{
	if (pt)
		pt->quiet_not_python = true;
}

static struct py_proc *find_proc(struct python_tracer *pt, pid_t pid)
{
	for (size_t i = 0; i < pt->proc_count; i++)
		if (pt->procs[i]->pid == pid)
			return pt->procs[i];
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
	const struct python_stack *trigger = python_tracer__python_stack(ctx, p->pid,
									 e->py_stack_id);

	p->events[p->event_count++] = (struct python_gc_event){
		.generation = e->generation, .start_ns = e->start_ns, .duration_ns = e->duration_ns,
		.collected = e->collected, .uncollectable = e->uncollectable,
		.trigger = trigger ? *trigger : (struct python_stack){ 0 },
	};
	p->gc_starts[p->gc_start_total++ % PY_GC_STARTS] = e->start_ns;
}

/* The sites' Python stacks go in the alloc tracer's maps, with every other Python stack. */
static struct python_bpf *open_events(int stack_configs_fd, int stacks_fd)
{
	struct python_bpf *skel = python_bpf__open();

	if (skel && ((stack_configs_fd >= 0 &&
		      bpf_map__reuse_fd(skel->maps.py_stack_configs, stack_configs_fd)) ||
		     (stacks_fd >= 0 && bpf_map__reuse_fd(skel->maps.py_stacks, stacks_fd)) ||
		     python_bpf__load(skel))) {
		python_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

struct python_tracer *python_tracer__new(enum python_mode mode, struct symtab_cache *cache,
					 int stack_configs_fd, int stacks_fd, unsigned int stack_depth)
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
	pt->stack_configs_fd = stack_configs_fd;
	pt->stacks_fd = stacks_fd;
	pt->stack_depth = stack_depth;
	err = gc_tracer__open(&pt->gc, on_gc_event, pt, stack_configs_fd, stacks_fd);
	if (err) {
		fprintf(stderr, "memtrace-bpf: python: GC events off: cannot load the GC probes: %s\n",
			strerror(-err));
		pt->gc_failed = true;
	}
	if (mode == PYTHON_MODE_EVENTS) {
		pt->skel = open_events(stack_configs_fd, stacks_fd);
		if (!pt->skel) {
			fprintf(stderr, "memtrace-bpf: python: event mode off: cannot load its probes: "
				"%s\n", strerror(errno));
			pt->events_failed = true;
		}
	}
	return pt;
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
	return probe_links__keep(&pt->links, t->pid, link);
}

/* Event mode: tp_alloc and tp_free of every class are called through type slots, so they
 * stay real calls even in an LTO build. */
static void attach_events(struct python_tracer *pt, struct py_proc *p)
{
	/* Instances of a type whose tp_free is another function are not counted: their frees
	 * would go unseen. */
	struct py_proc_config cfg = {
		.gc_del_addr = py_target__symbol(&p->target, "PyObject_GC_Del", true),
		.temporary_ns = pt->temporary_ns,
	};
	__u32 tgid = (__u32)p->pid;
	int err;

	if (!pt->skel)
		return;
	err = cfg.gc_del_addr ? bpf_map_update_elem(bpf_map__fd(pt->skel->maps.py_config), &tgid,
						    &cfg, BPF_ANY) : -ENOENT;
	if (err) {
		fprintf(stderr, "memtrace-bpf: python: PID %d: event mode unavailable (%s in %s: %s); "
			"types will be null\n", (int)p->pid, "PyObject_GC_Del", p->target.path,
			strerror(cfg.gc_del_addr ? errno : ENOENT));
		return;
	}
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

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
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
	if (!py_census__stats(&p->target, &p->census) && p->census.stats_ok) {
		p->stats_known = true;
		p->stats_at_attach = p->census.gc;
		p->stats_at_report = p->census.gc;
	}
	/* Before the probes that walk Python stacks: their first events have one. */
	if (pt->stack_configs_fd >= 0 &&
	    !python_stacks__configure(pt->stack_configs_fd, &p->target, pt->stack_depth))
		fprintf(stderr, "memtrace-bpf: python: PID %d: Python stacks off: the interpreter "
			"state is unreadable\n", (int)p->pid);
	if (pt->gc && gc_tracer__attach(pt->gc, &p->target, p->gc_state + p->target.off.gc_stats,
					why, sizeof(why)) == 0) {
		const uint64_t *by_gen = p->stats_at_attach.collections;

		p->gc_probed = true;
		p->gc_gate.enabled = pt->gc_gated;
		/* The rate is read from here: the first report can pause the probes. */
		if (p->stats_known)
			gc_probe_gate__step(&p->gc_gate, monotonic_ns(),
					    by_gen[0] + by_gen[1] + by_gen[2]);
	} else if (pt->gc) {
		fprintf(stderr, "memtrace-bpf: python: PID %d: GC events off: %s\n", (int)p->pid, why);
	}
	if (pt->mode == PYTHON_MODE_EVENTS)
		attach_events(pt, p);
	p->code_names = pycode_cache__new();
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
	case PY_DETECT_NOT_PYTHON:
		/* A running process that has no interpreter now will not get one: one look is
		 * enough (a host's idle processes would each cost a read of its mappings at every
		 * report). A launched command may not have exec'd its interpreter yet. */
		if (!p->may_start_later)
			last_chance = true;
		/* fall through */
	case PY_DETECT_NOT_READY:
		if (!last_chance && ++p->attempts < DETECT_ATTEMPTS)
			return;
		if (r == PY_DETECT_NOT_PYTHON && pt->quiet_not_python)
			break;
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

void python_tracer__attach(struct python_tracer *pt, pid_t pid, bool may_start_later)
{
	struct py_proc *p;

	if (!pt || find_proc(pt, pid))
		return;
	if (grow_for_one((void **)&pt->procs, &pt->proc_cap, pt->proc_count, sizeof(*pt->procs)) ||
	    !(p = calloc(1, sizeof(*p)))) {
		fprintf(stderr, "memtrace-bpf: python: PID %d: out of memory; native tracing only\n",
			(int)pid);
		return;
	}
	pt->procs[pt->proc_count++] = p;
	p->pid = pid;
	p->state = PY_PENDING;
	p->may_start_later = may_start_later;
	try_detect(pt, p, false);
}

static struct python_type_report *add_type(struct py_proc *p)
{
	struct python_report *r = &p->report;

	if (grow_for_one((void **)&p->types, &p->type_cap, r->type_count, sizeof(*p->types)))
		return NULL;
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

/* Deletes count keys; one the probes deleted first stops a batch, which goes on after it. */
static void delete_keys(int fd, char *keys, size_t key_size, __u32 count)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 done = 0;

	while (done < count) {
		__u32 n = count - done;

		if (!bpf_map_delete_batch(fd, keys + (size_t)done * key_size, &n, &opts))
			break;
		done += n + 1;
	}
}

/* Calls fn(ctx, value) for each entry of a hash map whose key starts with pid's tgid, and
 * deletes those entries when asked. Reads in batches: the probes delete entries meanwhile,
 * which would make bpf_map_get_next_key start over from the first key. */
static void scan_map(int fd, size_t key_size, size_t value_size, pid_t pid, bool delete,
		     void (*fn)(void *ctx, const void *value), void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	char *keys = malloc(MAP_BATCH * key_size), *values = malloc(MAP_BATCH * value_size);
	__u64 in = 0, out = 0;       /* batch tokens: a bucket index for hash maps */
	bool first = true;

	while (keys && values) {
		__u32 n = MAP_BATCH, kept = 0;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, values, &n, &opts);

		if (err && errno != ENOENT)
			break;
		for (__u32 i = 0; i < n; i++) {
			unsigned int tgid;

			memcpy(&tgid, keys + (size_t)i * key_size, sizeof(tgid));
			if (tgid != (unsigned int)pid)
				continue;
			if (fn)
				fn(ctx, values + (size_t)i * value_size);
			memmove(keys + (size_t)kept++ * key_size, keys + (size_t)i * key_size, key_size);
		}
		if (delete)
			delete_keys(fd, keys, key_size, kept);
		if (err)                 /* ENOENT: that was the last batch */
			break;
		in = out;
		first = false;
	}
	free(keys);
	free(values);
}

static void add_event_type(void *ctx, const void *value)
{
	struct py_proc *p = ctx;
	struct python_type_report *tr;
	char name[PY_TYPE_NAME_MAX];
	struct py_type_stats st;

	memcpy(&st, value, sizeof(st));
	st.name[sizeof(st.name) - 1] = '\0';
	py_type_short_name(st.name, true, name, sizeof(name));
	if (!py_type_name_valid(name))
		return;
	tr = find_type(p, name);
	if (!tr && !(tr = add_type(p)))
		return;
	snprintf(tr->name, sizeof(tr->name), "%s", name);
	if (st.frees_unseen)         /* named, its counts null, like a builtin's */
		return;
	tr->has_live = tr->has_events = true;
	tr->created += st.created;
	tr->destroyed += st.destroyed;
	tr->live += st.created - st.destroyed;
	tr->live_bytes += st.bytes_created - st.bytes_destroyed;
	tr->bytes_created += st.bytes_created;
	for (int b = 0; b < LIFETIME_BUCKETS; b++)
		tr->lifetimes.hist[b] += st.lifetime_hist[b];
	tr->lifetimes.temporary += st.temporary;
	tr->lifetimes.total_ns += st.lifetime_ns_total;
	if (st.peak_live > tr->events_peak_live)
		tr->events_peak_live = st.peak_live;
}

/* Event mode: classes from the kernel's counts, by name (those of types that died included);
 * builtins named by the attach census with null counts. */
static void fill_event_types(struct python_tracer *pt, struct py_proc *p)
{
	/* The dead first: a type dying between the two reads is missed for one report rather
	 * than counted twice. */
	scan_map(bpf_map__fd(pt->skel->maps.py_dead_types), sizeof(struct py_dead_type_key),
		 sizeof(struct py_type_stats), p->pid, false, add_event_type, p);
	scan_map(bpf_map__fd(pt->skel->maps.py_types), sizeof(struct py_type_key),
		 sizeof(struct py_type_stats), p->pid, false, add_event_type, p);
	for (size_t i = 0; i < p->census.count; i++) {
		struct python_type_report *tr;

		if (find_type(p, p->census.types[i].name) || !(tr = add_type(p)))
			continue;
		snprintf(tr->name, sizeof(tr->name), "%s", p->census.types[i].name);
	}
}

/* A census is walked again at least this often, even of an interpreter that looks idle. */
#define CENSUS_REUSE_MAX_NS (10 * 1000000000ull)

/* The census now: walked again only when the interpreter's GC lists or counters moved since
 * the last walk (or 10 s passed), else the last one stands, with fresh GC statistics. An
 * idle interpreter then costs two small reads a poll instead of a walk over every object
 * (100 idle interpreters of 20k objects: 13% of a CPU at 1 s polling before). What it can
 * miss, for at most 10 s: old objects freed while the young generation's count is 0. */
static int take_census(struct py_proc *p)
{
	struct py_gc_fingerprint now;
	uint64_t t = monotonic_ns();
	int err;

	py_census__fingerprint(&p->target, &now);
	if (py_gc_fingerprint__same(&now, &p->census_fingerprint) &&
	    t - p->census_walked_ns < CENSUS_REUSE_MAX_NS)
		return py_census__stats(&p->target, &p->census);
	err = py_census__take(&p->target, p->mem, &p->census);
	p->census_fingerprint = now;
	p->census_fingerprint.valid &= !err && !p->census.partial;
	p->census_walked_ns = t;
	return err;
}

/* Census or event counts now, into p->report. */
static void take_figures(struct python_tracer *pt, struct py_proc *p)
{
	struct python_report *r = &p->report;

	if (pt->mode == PYTHON_MODE_CENSUS) {
		r->objects_known = take_census(p) == 0;
		if (r->objects_known)
			fill_census_types(p);
		r->objects = p->census.objects;
		r->object_bytes = p->census.bytes;
		r->census_partial = p->census.partial;
	} else {
		remote_mem__reset(p->mem);
		py_census__stats(&p->target, &p->census);
		if (p->events_probed)
			fill_event_types(pt, p);
	}
	r->arenas_known = p->census.arenas_ok;
	r->arena_bytes = p->census.arena_bytes;
	pymalloc__read(&p->target, &r->pymalloc);
}

/* The peak entry of name (added in name order when add), or NULL. */
static struct py_peak *peak_of(struct py_proc *p, const char *name, bool add)
{
	size_t lo = 0, hi = p->peak_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, p->peaks[mid].name);

		if (!c)
			return &p->peaks[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (!add || grow_for_one((void **)&p->peaks, &p->peak_cap, p->peak_count, sizeof(*p->peaks)))
		return NULL;
	memmove(&p->peaks[lo + 1], &p->peaks[lo], (p->peak_count - lo) * sizeof(*p->peaks));
	memset(&p->peaks[lo], 0, sizeof(p->peaks[lo]));
	snprintf(p->peaks[lo].name, sizeof(p->peaks[lo].name), "%s", name);
	p->peak_count++;
	return &p->peaks[lo];
}

static void update_peaks(struct py_proc *p)
{
	const struct python_report *r = &p->report;

	for (size_t i = 0; i < r->type_count; i++) {
		struct py_peak *pk;

		if (r->types[i].has_live && (pk = peak_of(p, r->types[i].name, true)) &&
		    r->types[i].live > pk->live)
			pk->live = r->types[i].live;
	}
	if (r->objects_known && r->objects > p->objects_peak)
		p->objects_peak = r->objects;
}

static void apply_peaks(struct py_proc *p)
{
	struct python_report *r = &p->report;

	for (size_t i = 0; i < r->type_count; i++) {
		const struct py_peak *pk = r->types[i].has_live ? peak_of(p, r->types[i].name, false) : NULL;

		r->types[i].peak_live = pk ? pk->live : 0;
	}
	r->objects_peak = p->objects_peak;
}

/* Makes room for n types in *types (of *cap). */
static bool reserve_types(struct python_type_report **types, size_t *cap, size_t n)
{
	while (*cap < n)
		if (grow_for_one((void **)types, cap, *cap, sizeof(**types)))
			return false;
	return true;
}

static void keep_last_running(struct py_proc *p)
{
	const struct python_report *r = &p->report;
	struct py_last_running *l = &p->last;

	if (!reserve_types(&l->types, &l->type_cap, r->type_count)) {
		l->valid = false;
		return;
	}
	if (r->type_count)
		memcpy(l->types, r->types, r->type_count * sizeof(*l->types));
	l->type_count = r->type_count;
	l->objects_known = r->objects_known;
	l->objects = r->objects;
	l->object_bytes = r->object_bytes;
	l->census_partial = r->census_partial;
	l->arenas_known = r->arenas_known;
	l->arena_bytes = r->arena_bytes;
	l->pymalloc = r->pymalloc;
	l->stats_known = p->census.stats_ok;
	l->stats = p->census.gc;
	l->gc_time_total = p->gc_totals.time_ns;
	l->valid = true;
}

static void restore_last_running(struct py_proc *p)
{
	const struct py_last_running *l = &p->last;
	struct python_report *r = &p->report;

	r->type_count = 0;
	if (!reserve_types(&p->types, &p->type_cap, l->type_count))
		return;
	if (l->type_count)
		memcpy(p->types, l->types, l->type_count * sizeof(*p->types));
	r->types = p->types;
	r->type_count = l->type_count;
	r->last_seen = true;
	r->objects_known = l->objects_known;
	r->objects = l->objects;
	r->object_bytes = l->object_bytes;
	r->census_partial = l->census_partial;
	r->arenas_known = l->arenas_known;
	r->arena_bytes = l->arena_bytes;
	r->pymalloc = l->pymalloc;
}

/* The default mode: the GC probes pause while collections run too often to be worth their
 * traps, and resume when they slow down (analysis/gc_probe_gate.h). */
static void gate_gc_probes(struct python_tracer *pt, struct py_proc *p)
{
	const uint64_t *by_gen = p->census.gc.collections;
	uint64_t collections = by_gen[0] + by_gen[1] + by_gen[2];
	enum gc_probe_action action;
	int err = 0;

	if (!p->gc_probed || !p->census.stats_ok || !p->stats_known)
		return;
	action = gc_probe_gate__step(&p->gc_gate, monotonic_ns(), collections);
	if (action == GC_PROBES_PAUSE)
		err = gc_tracer__pause(pt->gc, p->pid);
	else if (action == GC_PROBES_RESUME)
		err = gc_tracer__resume(pt->gc, &p->target);
	if (action == GC_PROBES_KEEP || err)
		return;
	gc_probe_gate__done(&p->gc_gate, action);
	if (action == GC_PROBES_PAUSE && !p->gc_pause_told++)
		fprintf(stderr, "memtrace-bpf: python: PID %d: over %d collections/s: GC probes "
			"paused while so (counts stay exact; the collections' time is then not "
			"measured: 'untimed'; --exact times all)\n", (int)p->pid, GC_PROBE_PAUSE_RATE);
}

static void fill_gc(struct python_tracer *pt, struct py_proc *p, bool summary)
{
	struct python_report *r = &p->report;
	const struct py_gc_stats *base = summary ? &p->stats_at_attach : &p->stats_at_report;
	const struct py_gc_stats *now = r->last_seen ? &p->last.stats : &p->census.gc;
	bool now_known = r->last_seen ? p->last.stats_known : p->census.stats_ok;

	if (now_known && p->stats_known) {
		r->gc_known = r->gc_counts_known = true;
		for (int g = 0; g < 3; g++) {
			r->gc_collections[g] = now->collections[g] - base->collections[g];
			r->gc_collected += now->collected[g] - base->collected[g];
			r->gc_uncollectable += now->uncollectable[g] - base->uncollectable[g];
		}
		if (!r->last_seen)
			p->stats_at_report = p->census.gc;
	} else if (p->gc_probed && !summary) {
		r->gc_known = true;
		for (size_t i = 0; i < p->event_count; i++)
			if (p->events[i].generation >= 0)
				r->gc_collections[p->events[i].generation]++;
	}
	if (p->gc_probed) {
		r->gc_time_known = true;
		r->gc_time_ns = r->last_seen ? p->last.gc_time_total :
				summary ? p->gc_totals.time_ns :
				p->gc_totals.time_ns - p->gc_totals_at_report.time_ns;
		r->gc_young_unlisted = summary ? p->gc_totals.young_unlisted :
				       p->gc_totals.young_unlisted - p->gc_totals_at_report.young_unlisted;
		if (!summary)
			p->gc_totals_at_report = p->gc_totals;
		r->gc_events_dropped = gc_tracer__dropped(pt->gc);
		/* Untimed: what the statistics counted since the attach and the probes did
		 * not time (run while paused, or under way at a pause or resume). */
		for (int g = 0; now_known && p->stats_known && g < 3; g++) {
			uint64_t ran = now->collections[g] - p->stats_at_attach.collections[g];
			uint64_t untimed = ran > p->gc_totals.timed[g] ? ran - p->gc_totals.timed[g] : 0;

			r->gc_untimed[g] = summary ? untimed :
					   untimed > p->gc_untimed_at_report[g] ?
					   untimed - p->gc_untimed_at_report[g] : 0;
			if (!summary)
				p->gc_untimed_at_report[g] = untimed;
		}
	}
	if (!summary) {
		r->gc_events = p->events;
		r->gc_event_count = p->event_count;
		p->events_reported = p->event_count;
	}
}

/* Detaches pid's probes and deletes its entries in the maps of python.bpf.c and gc.bpf.c. */
static void release_kernel_state(struct python_tracer *pt, struct py_proc *p)
{
	__u32 tgid = (__u32)p->pid;

	if (p->kernel_released)
		return;
	p->kernel_released = true;
	probe_links__release(&pt->links, p->pid);
	gc_tracer__release(pt->gc, p->pid);
	if (!pt->skel)
		return;
	bpf_map_delete_elem(bpf_map__fd(pt->skel->maps.py_config), &tgid);
	bpf_map_delete_elem(bpf_map__fd(pt->skel->maps.py_counters), &tgid);
	scan_map(bpf_map__fd(pt->skel->maps.py_types), sizeof(struct py_type_key),
		 sizeof(struct py_type_stats), p->pid, true, NULL, NULL);
	scan_map(bpf_map__fd(pt->skel->maps.py_dead_types), sizeof(struct py_dead_type_key),
		 sizeof(struct py_type_stats), p->pid, true, NULL, NULL);
	scan_map(bpf_map__fd(pt->skel->maps.py_objects), sizeof(struct py_obj_key),
		 sizeof(struct py_obj), p->pid, true, NULL, NULL);
	scan_map(bpf_map__fd(pt->skel->maps.py_sites), sizeof(struct py_site_key),
		 sizeof(struct py_site_stats), p->pid, true, NULL, NULL);
}

/* Processes found gone give back their probes and map entries now, not at their summary:
 * the object map is shared by every traced process. */
static void release_gone(struct python_tracer *pt)
{
	for (size_t i = 0; i < pt->proc_count; i++) {
		struct py_proc *p = pt->procs[i];

		if (p->state == PY_ACTIVE && !p->kernel_released && kill(p->pid, 0) && errno == ESRCH)
			release_kernel_state(pt, p);
	}
}

static void free_site_reports(struct py_proc *p)
{
	for (size_t i = 0; i < p->site_report_count; i++)
		free(p->site_reports[i].python.frames);
	free(p->site_reports);
	p->site_reports = NULL;
	p->site_report_count = 0;
}

static bool same_code(const struct python_stack *a, const struct python_stack *b)
{
	if (a->depth != b->depth || a->truncated != b->truncated)
		return false;
	for (size_t i = 0; i < a->depth; i++)
		if (a->frames[i].line != b->frames[i].line ||
		    strcmp(a->frames[i].function, b->frames[i].function) ||
		    strcmp(a->frames[i].file, b->frames[i].file))
			return false;
	return true;
}

/* One report a type and named stack: stacks the kernel tells apart by instruction offset
 * (a line's several calls, or its bytecode quickened) read as one line to a person. */
static struct python_site_report *site_report_of(struct py_proc *p, const char *type,
						 const struct python_stack *py, size_t cap)
{
	static const struct python_stack none;
	struct python_site_report *out;

	if (!py)
		py = &none;
	for (size_t i = 0; i < p->site_report_count; i++)
		if (!strcmp(p->site_reports[i].type, type) &&
		    same_code(&p->site_reports[i].python, py))
			return &p->site_reports[i];
	if (p->site_report_count == cap)
		return NULL;
	out = &p->site_reports[p->site_report_count++];
	snprintf(out->type, sizeof(out->type), "%s", type);
	python_stack__copy(&out->python, py);
	return out;
}

static int by_site_live_bytes(const void *a, const void *b)
{
	const struct python_site_report *x = a, *y = b;

	if (x->live_bytes != y->live_bytes)
		return x->live_bytes < y->live_bytes ? 1 : -1;
	return (x->created < y->created) - (x->created > y->created);
}

/* Event mode: the sites are read at each report while the process runs (an exited one's
 * entries are gone) and the stacks of the top ones named; the summary lists the top ones by
 * live bytes. */
static void fill_sites(struct python_tracer *pt, struct py_proc *p, bool summary)
{
	struct python_report *r = &p->report;
	size_t cap = p->sites.count < PY_SITES_MERGED ? p->sites.count : PY_SITES_MERGED;

	if (!p->kernel_released &&
	    python_sites__read(&p->sites, bpf_map__fd(pt->skel->maps.py_sites),
			       bpf_map__fd(pt->skel->maps.py_counters), pt->ncpus, p->pid))
		return;
	for (size_t i = 0; i < p->sites.count && i < PY_SITES_NAMED; i++)
		python_tracer__python_stack(pt, p->pid, p->sites.items[i].py_stack_id);
	if (!summary)
		return;
	free_site_reports(p);
	p->site_reports = calloc(cap ? cap : 1, sizeof(*p->site_reports));
	for (size_t i = 0; p->site_reports && i < cap; i++) {
		const struct py_site *s = &p->sites.items[i];
		struct python_site_report *out;
		char type[sizeof(out->type)];

		py_type_short_name(s->name, true, type, sizeof(type));
		if (!py_type_name_valid(type))
			continue;   /* a name the probe could not read yet */
		out = site_report_of(p, type, python_tracer__python_stack(pt, p->pid,
									  s->py_stack_id), cap);
		if (!out)
			break;
		out->created += s->stats.created;
		out->destroyed += s->stats.destroyed;
		out->live += s->stats.created > s->stats.destroyed ?
			     s->stats.created - s->stats.destroyed : 0;
		out->live_bytes += s->stats.bytes_created > s->stats.bytes_destroyed ?
				   s->stats.bytes_created - s->stats.bytes_destroyed : 0;
	}
	if (p->site_reports)
		qsort(p->site_reports, p->site_report_count, sizeof(*p->site_reports),
		      by_site_live_bytes);
	r->sites_known = p->site_reports != NULL;
	r->sites = p->site_reports;
	r->site_count = p->site_report_count < PY_SITES_REPORTED ? p->site_report_count :
			PY_SITES_REPORTED;
	r->sites_dropped = p->sites.dropped;
}

const struct python_report *python_tracer__report(struct python_tracer *pt, pid_t pid,
						  bool summary, bool exited)
{
	struct py_proc *p = pt ? find_proc(pt, pid) : NULL;
	struct python_report *r;
	bool running;

	if (!p)
		return NULL;
	release_gone(pt);
	if (p->state == PY_PENDING && !exited)
		try_detect(pt, p, summary);
	if (p->state != PY_ACTIVE)
		return NULL;
	r = &p->report;
	p->retainer_lookups = 0;
	/* The collections reported last time are done with; those polled since (for frames)
	 * go in this report. */
	p->event_count -= p->events_reported;
	if (p->events_reported) /* p->events is NULL until the first GC event */
		memmove(p->events, p->events + p->events_reported,
			p->event_count * sizeof(*p->events));
	p->events_reported = 0;
	if (pt->gc) {
		gc_tracer__poll(pt->gc);
		if (p->gc_probed)   /* before the release of an exited process's entry */
			gc_tracer__totals(pt->gc, p->pid, &p->gc_totals);
	}
	memset(r, 0, sizeof(*r));
	memcpy(r->version, p->target.version_str, sizeof(r->version));
	r->version[sizeof(r->version) - 1] = '\0';
	r->mode = pt->mode == PYTHON_MODE_CENSUS ? "census" : "events";
	if (exited) {
		/* Its probes and map entries are done with: the summary shows what was kept. */
		release_kernel_state(pt, p);
		p->census.stats_ok = false;
	} else {
		take_figures(pt, p);
		if (!summary)
			gate_gc_probes(pt, p);
	}
	/* Read after the figures: a census that ended before the teardown began saw the
	 * interpreter running. */
	running = !exited && py_target__running(&p->target);
	if (r->type_count)
		qsort(p->types, r->type_count, sizeof(*p->types), compare_types);
	if (running && (pt->mode != PYTHON_MODE_CENSUS || r->objects_known)) {
		update_peaks(p);
		keep_last_running(p);
	}
	if (summary && !running && p->last.valid)
		restore_last_running(p);
	apply_peaks(p);
	fill_gc(pt, p, summary);
	if (pt->mode == PYTHON_MODE_EVENTS && p->events_probed)
		fill_sites(pt, p, summary);
	return r;
}

const struct python_stack *python_tracer__python_stack(struct python_tracer *pt, pid_t pid,
							 int id)
{
	struct py_proc *p = pt ? find_proc(pt, pid) : NULL;
	struct named_stack *named;

	if (!p || id < 0)
		return NULL;
	for (size_t i = 0; i < p->stack_count; i++)
		if (p->stacks[i].id == id)
			return &p->stacks[i].stack;
	if (p->state != PY_ACTIVE || !p->code_names ||
	    grow_for_one((void **)&p->stacks, &p->stack_cap, p->stack_count, sizeof(*p->stacks)))
		return NULL;
	named = &p->stacks[p->stack_count];
	if (!python_stacks__read(pt->stacks_fd, id, &p->target, p->mem, p->code_names,
				 &named->stack))
		return NULL;
	named->id = id;
	p->stack_count++;
	return &named->stack;
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

static void free_proc(struct py_proc *p)
{
	free_site_reports(p);
	python_sites__free(&p->sites);
	for (size_t i = 0; i < p->stack_count; i++)
		free(p->stacks[i].stack.frames);
	free(p->stacks);
	pycode_cache__free(p->code_names);
	remote_mem__free(p->mem);
	py_census__free(&p->census);
	free(p->events);
	free(p->types);
	free(p->last.types);
	free(p->peaks);
	free(p);
}

void python_tracer__retained_by(struct python_tracer *pt, pid_t pid, const char *type_name,
				struct retainer_report *out)
{
	struct py_proc *p = pt ? find_proc(pt, pid) : NULL;

	*out = (struct retainer_report){ 0 };
	if (p && p->state == PY_ACTIVE && pt->mode == PYTHON_MODE_CENSUS && p->mem &&
	    p->retainer_lookups < RETAINER_LOOKUPS_PER_REPORT) {
		p->retainer_lookups++;
		py_retainers__find(&p->target, p->mem, type_name, out);
	}
}

void python_tracer__release(struct python_tracer *pt, pid_t pid)
{
	for (size_t i = 0; pt && i < pt->proc_count; i++) {
		struct py_proc *p = pt->procs[i];

		if (p->pid != pid)
			continue;
		release_kernel_state(pt, p);
		free_proc(p);
		memmove(&pt->procs[i], &pt->procs[i + 1], (pt->proc_count - i - 1) * sizeof(*pt->procs));
		pt->proc_count--;
		return;
	}
}

void python_tracer__destroy(struct python_tracer *pt)
{
	if (!pt)
		return;
	probe_links__destroy(&pt->links);
	gc_tracer__destroy(pt->gc);
	python_bpf__destroy(pt->skel);
	for (size_t i = 0; i < pt->proc_count; i++)
		free_proc(pt->procs[i]);
	free(pt->procs);
	free(pt);
}
