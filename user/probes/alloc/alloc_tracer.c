// SPDX-License-Identifier: GPL-2.0
#include "probes/alloc/alloc_tracer.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "alloc.skel.h"
#include "model/exit_codes.h"
#include "probes/map_batch.h"
#include "probes/probe_links.h"
#include "probes/alloc/outstanding_growth.h"
#include "target/probe_offset.h"
#include "target/procmaps.h"
#include "util/grow.h"

struct process_totals {
	__u32 tgid;
	bool from_mmap_stats;        /* before merge_totals: which map the entry came from */
	struct native_totals native;
	struct mmap_totals mmap;
};

struct alloc_tracer {
	struct alloc_bpf *skel;
	struct symtab_cache *cache;
	struct probe_links links;    /* the allocator uprobes, per traced process */
	int ncpus;
	bool mappings_traced;        /* the syscall tracepoints are attached */
	bool allocator_probes;       /* malloc-family uprobes (off with --light) */
	bool windowed;               /* attached only in exact windows (alloc_tracer__window_*) */
	struct ring_buffer *forks;   /* -f: fork events */
	alloc_fork_fn on_fork;
	void *on_fork_ctx;
	struct process_totals *totals; /* every process's counters at the last collect */
	size_t totals_count, totals_capacity;
	/* The outstanding map's levels (bpf/alloc.bpf.c), added by the grower thread. */
	uint32_t max_entries;
	pthread_mutex_t level_lock;  /* level_fds and level_count, read by the main thread */
	int level_fds[OUTSTANDING_MAX_LEVELS];
	uint32_t level_sizes[OUTSTANDING_MAX_LEVELS];
	unsigned int level_count;
	uint64_t capacity;           /* entries in all levels */
	pthread_t grower;
	bool grower_started;
	bool grower_stop;
	pthread_cond_t grower_wake;  /* with level_lock: allocators attached, or the end */
	int probed_processes;        /* with allocator probes attached now (level_lock) */
	bool drop_warned;            /* the --max-entries hint was given */
	uint64_t released_entries;   /* deleted for released processes: the BPF count keeps them */
	struct forgotten *forgotten; /* windowed: per process */
	size_t forgotten_count, forgotten_capacity;
};

/* --- libbpf messages ---------------------------------------------------------------- */

#define KEPT_MESSAGES 12
static bool verbose_messages;
static char kept_messages[KEPT_MESSAGES][256];
static unsigned int kept_next;

static int print_bpf_message(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (verbose_messages)
		return vfprintf(stderr, fmt, args);
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(kept_messages[kept_next++ % KEPT_MESSAGES], sizeof(kept_messages[0]), fmt, args);
	return 0;
}

void bpf_messages__init(bool verbose)
{
	verbose_messages = verbose;
	libbpf_set_print(print_bpf_message);
}

static void show_kept_messages(void)
{
	unsigned int first = kept_next > KEPT_MESSAGES ? kept_next - KEPT_MESSAGES : 0;

	for (unsigned int i = first; i < kept_next; i++)
		fprintf(stderr, "  %s", kept_messages[i % KEPT_MESSAGES]);
}

/* --- open and load ------------------------------------------------------------------ */

static bool syscall_tracepoints_visible(void)
{
	return access("/sys/kernel/tracing/events/syscalls", F_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/events/syscalls", F_OK) == 0;
}

/* libbpf finds tracepoint ids through tracefs; mount it where a minimal system lacks it. */
static bool ensure_tracefs(void)
{
	if (syscall_tracepoints_visible())
		return true;
	mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	return syscall_tracepoints_visible();
}

static void set_mapping_programs_autoload(struct alloc_bpf *skel, bool on)
{
	struct bpf_program *progs[] = {
		skel->progs.mmap_enter, skel->progs.mmap_exit, skel->progs.munmap_enter,
		skel->progs.munmap_exit, skel->progs.mremap_enter, skel->progs.mremap_exit,
		skel->progs.brk_exit,
	};

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		bpf_program__set_autoload(progs[i], on);
}

static int open_fork_events(struct alloc_tracer *t);

/* --- the outstanding map's levels ------------------------------------------------------ */

/* Creates the next level and publishes it to the BPF side; -ENOSPC at --max-entries. */
static int add_outstanding_level(struct alloc_tracer *t)
{
	LIBBPF_OPTS(bpf_map_create_opts, create, .map_flags = BPF_F_NO_PREALLOC);
	unsigned int level = t->level_count;
	uint32_t last = level ? t->level_sizes[level - 1] : 0;
	uint32_t size = outstanding_growth__next_size(t->capacity, last, t->max_entries);
	char name[16];
	int fd;

	if (!size || level == OUTSTANDING_MAX_LEVELS)
		return -ENOSPC;
	snprintf(name, sizeof(name), "outstanding_%u", level);
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, name, sizeof(struct outstanding_key),
			    sizeof(struct outstanding_alloc), size, &create);
	if (fd < 0)
		return -errno;
	if (bpf_map__update_elem(t->skel->maps.outstanding, &level, sizeof(level), &fd, sizeof(fd),
				 BPF_ANY)) {
		int err = -errno;

		close(fd);
		return err;
	}
	pthread_mutex_lock(&t->level_lock);
	t->level_fds[level] = fd;
	t->level_sizes[level] = size;
	t->level_count = level + 1;
	pthread_mutex_unlock(&t->level_lock);
	__atomic_store_n(&t->capacity, t->capacity + size, __ATOMIC_RELAXED);
	__atomic_store_n(&t->skel->bss->outstanding_levels, level + 1, __ATOMIC_RELEASE);
	return 0;
}

static void init_monotonic_cond(pthread_cond_t *cond)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
}

static int64_t outstanding_entries(struct alloc_tracer *t)
{
	int64_t per_cpu[t->ncpus], sum = 0;
	__u32 zero = 0;

	if (bpf_map__lookup_elem(t->skel->maps.outstanding_count, &zero, sizeof(zero), per_cpu,
				 sizeof(per_cpu), 0))
		return -1;
	for (int c = 0; c < t->ncpus; c++)
		sum += per_cpu[c];
	return sum - (int64_t)__atomic_load_n(&t->released_entries, __ATOMIC_RELAXED);
}

/* How often the grower looks while allocator probes are attached: a level half full leaves
 * 128k or more insertions to go, over 100 ms of a tight malloc loop per CPU at ~1.5 µs a
 * traced call. With none attached (between the default mode's windows, scopes) nothing can
 * be added, so it only wakes when they are (once a second at most otherwise): 100 wakeups a
 * second were half of an idle trace's loader CPU. */
#define GROWER_PERIOD_NS 10000000L
#define GROWER_IDLE_PERIOD_NS 1000000000L

/* Sleeps a period, or until woken; false: the tracer ends. */
static bool grower_wait(struct alloc_tracer *t)
{
	struct timespec until;
	long period;
	bool go_on;

	pthread_mutex_lock(&t->level_lock);
	period = t->probed_processes ? GROWER_PERIOD_NS : GROWER_IDLE_PERIOD_NS;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += period;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	if (!t->grower_stop)
		pthread_cond_timedwait(&t->grower_wake, &t->level_lock, &until);
	go_on = !t->grower_stop;
	pthread_mutex_unlock(&t->level_lock);
	return go_on;
}

/* count: +1 when a process's allocators are attached, -1 when they are released. */
static void allocators_attached(struct alloc_tracer *t, int count)
{
	pthread_mutex_lock(&t->level_lock);
	t->probed_processes += count;
	pthread_cond_signal(&t->grower_wake);
	pthread_mutex_unlock(&t->level_lock);
}

static void *grow_outstanding(void *arg)
{
	struct alloc_tracer *t = arg;

	while (grower_wait(t) && t->capacity < t->max_entries) {
		uint32_t last = t->level_sizes[t->level_count - 1];
		int err;

		if (outstanding_growth__due(outstanding_entries(t), t->capacity, last) &&
		    (err = add_outstanding_level(t))) {
			fprintf(stderr, "memtrace-bpf: warning: cannot grow the outstanding map "
				"past %llu entries: %s\n", (unsigned long long)t->capacity,
				strerror(-err));
			break;
		}
	}
	return NULL;
}

static int start_outstanding_levels(struct alloc_tracer *t)
{
	int err = add_outstanding_level(t);

	if (err)
		return err;
	err = -pthread_create(&t->grower, NULL, grow_outstanding, t);
	t->grower_started = !err;
	return err;
}

int alloc_tracer__outstanding_fds(struct alloc_tracer *t, int *fds, size_t max)
{
	size_t n;

	pthread_mutex_lock(&t->level_lock);
	for (n = 0; n < t->level_count && n < max; n++)
		fds[n] = t->level_fds[n];
	pthread_mutex_unlock(&t->level_lock);
	return (int)n;
}

/* The mapping tracepoints (and -f's fork tracepoint), kept with the uprobes so that they are
 * detached with them, in the background: each costs a grace period (~100 ms) to remove. */
static int attach_tracepoints(struct alloc_tracer *t)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, t->skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		struct bpf_link *link;

		if (!bpf_program__autoload(prog) || (strncmp(sec, "tracepoint/", 11) &&
						      strncmp(sec, "tp_btf/", 7)))
			continue;
		link = bpf_program__attach(prog);
		if (!link || probe_links__keep(&t->links, 0, link))
			return -1;
	}
	return 0;
}

int alloc_tracer__open(struct alloc_tracer **out, const struct alloc_tracer_opts *opts,
		       struct symtab_cache *cache)
{
	struct alloc_tracer *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return EXIT_INTERNAL;
	t->cache = cache;
	t->max_entries = opts->max_entries;
	pthread_mutex_init(&t->level_lock, NULL);
	init_monotonic_cond(&t->grower_wake);
	t->ncpus = libbpf_num_possible_cpus();
	t->skel = alloc_bpf__open();
	if (!t->skel || t->ncpus <= 0) {
		fprintf(stderr, "memtrace-bpf: cannot open the BPF object: %s\n", strerror(errno));
		alloc_tracer__destroy(t);
		return EXIT_INTERNAL;
	}
	t->skel->rodata->record_stacks = opts->stacks;
	t->windowed = opts->windowed && opts->allocator_probes;
	/* A window forgets the blocks of its last moments: it needs their age. */
	t->skel->rodata->record_ages = opts->ages || t->windowed;
	t->skel->rodata->temporary_ns = opts->temporary_ns;
	t->skel->rodata->py_stack_sample_bytes = opts->py_stack_sample;
	t->allocator_probes = opts->allocator_probes;
	t->skel->rodata->follow_forks = opts->follow_forks;
	bpf_program__set_autoload(t->skel->progs.on_fork, opts->follow_forks);
	bpf_map__set_max_entries(t->skel->maps.native_stats, opts->max_processes);
	bpf_map__set_max_entries(t->skel->maps.mmap_stats, opts->max_processes);
	bpf_map__set_max_entries(t->skel->maps.traced_tgids, opts->max_processes);
	bpf_map__set_max_entries(t->skel->maps.last_brk, opts->max_processes);
	bpf_map__set_max_entries(t->skel->maps.py_stack_configs, opts->max_processes);
	bpf_map__set_max_entries(t->skel->maps.brk_high, opts->max_processes);
	bpf_map__set_max_entries(t->skel->maps.stacks, opts->stack_entries);
	bpf_map__set_max_entries(t->skel->maps.stack_stats, opts->stack_entries);
	if (!opts->stacks)
		bpf_map__set_max_entries(t->skel->maps.stacks, 1);

	t->mappings_traced = ensure_tracefs();
	if (!t->mappings_traced)
		fprintf(stderr, "memtrace-bpf: warning: tracefs unavailable, mmap/brk not counted\n");
	set_mapping_programs_autoload(t->skel, t->mappings_traced);
	probe_links__prepare(t->skel->obj);

	err = alloc_bpf__load(t->skel);
	if (err) {
		fprintf(stderr, "memtrace-bpf: loading BPF programs failed: %s; libbpf said:\n",
			strerror(-err));
		show_kept_messages();
		alloc_tracer__destroy(t);
		return EXIT_BPF_LOAD;
	}
	if (t->allocator_probes && (err = start_outstanding_levels(t))) {
		fprintf(stderr, "memtrace-bpf: cannot create the outstanding map: %s\n",
			strerror(-err));
		alloc_tracer__destroy(t);
		return EXIT_INTERNAL;
	}
	if (t->mappings_traced && attach_tracepoints(t)) {
		fprintf(stderr, "memtrace-bpf: cannot attach the mmap/brk tracepoints: %s\n",
			strerror(errno));
		alloc_tracer__destroy(t);
		return EXIT_ATTACH;
	}
	if (opts->follow_forks && open_fork_events(t)) {
		fprintf(stderr, "memtrace-bpf: cannot follow forks: %s\n", strerror(errno));
		alloc_tracer__destroy(t);
		return EXIT_ATTACH;
	}
	*out = t;
	return EXIT_OK;
}

/* --- forks (-f) --------------------------------------------------------------------- */

static int handle_fork_event(void *ctx, void *data, size_t size)
{
	struct alloc_tracer *t = ctx;
	const struct fork_event *e = data;

	if (size >= sizeof(*e) && t->on_fork)
		t->on_fork(t->on_fork_ctx, (pid_t)e->parent_tgid, (pid_t)e->child_tgid);
	return 0;
}

static int open_fork_events(struct alloc_tracer *t)
{
	if (!t->mappings_traced) {   /* attach_tracepoints() did not run: attach on_fork alone */
		struct bpf_link *link = bpf_program__attach(t->skel->progs.on_fork);

		if (!link || probe_links__keep(&t->links, 0, link))
			return -errno;
	}
	t->forks = ring_buffer__new(bpf_map__fd(t->skel->maps.forks), handle_fork_event, t, NULL);
	return t->forks ? 0 : -errno;
}

int alloc_tracer__wait_forks(struct alloc_tracer *t, int timeout_ms, alloc_fork_fn on_fork,
			     void *ctx)
{
	int n;

	if (!t->forks)
		return -EINVAL;
	t->on_fork = on_fork;
	t->on_fork_ctx = ctx;
	n = ring_buffer__poll(t->forks, timeout_ms < 0 ? 0 : timeout_ms);
	t->on_fork = NULL;
	return n;
}

/* --- attach ------------------------------------------------------------------------- */

struct allocator_function {
	const char *symbol;
	size_t prog_offset;          /* offsetof the entry program in the skeleton's progs */
	bool returns;                /* needs the return probe for the block's address */
};

#define PROG(name) offsetof(struct alloc_bpf, progs.name)
/* free comes first: a block allocated while the other probes are being attached must have
 * its free seen, or it would stay "live" forever. */
static const struct allocator_function allocator_functions[] = {
	{ "free", PROG(free_enter), false },
	{ "malloc", PROG(malloc_enter), true },
	{ "calloc", PROG(calloc_enter), true },
	{ "realloc", PROG(realloc_enter), true },
	{ "reallocarray", PROG(reallocarray_enter), true },
	{ "posix_memalign", PROG(posix_memalign_enter), true },
	{ "aligned_alloc", PROG(aligned_alloc_enter), true },
	{ "memalign", PROG(aligned_alloc_enter), true },
	{ "valloc", PROG(valloc_enter), true },
	{ "pvalloc", PROG(valloc_enter), true },
};
#define ALLOCATOR_FUNCTIONS (sizeof(allocator_functions) / sizeof(allocator_functions[0]))

static const struct elf_symbol *exact_function(const struct elf_symtab *tab, const char *name)
{
	const struct elf_symbol *sym = elf_symtab__find(tab, name, true);

	return sym && !strcmp(sym->name, name) ? sym : NULL;
}

/* The probes of one file, grouped by program: each program is one link per process where the
 * kernel has multi-uprobe links. */
struct probe_plan {
	struct bpf_program *progs[ALLOCATOR_FUNCTIONS + 1];
	uint64_t offsets[ALLOCATOR_FUNCTIONS + 1][ALLOCATOR_FUNCTIONS];
	size_t counts[ALLOCATOR_FUNCTIONS + 1];
	size_t prog_count;
	size_t functions;            /* allocator functions found */
};

static void plan_add(struct probe_plan *plan, struct bpf_program *prog, uint64_t offset)
{
	size_t i = 0;

	while (i < plan->prog_count && plan->progs[i] != prog)
		i++;
	if (i == plan->prog_count)
		plan->progs[plan->prog_count++] = prog;
	plan->offsets[i][plan->counts[i]++] = offset;
}

static void plan_module(struct alloc_tracer *t, const char *path, const struct elf_symtab *tab,
			struct probe_plan *plan)
{
	uint64_t seen[ALLOCATOR_FUNCTIONS];

	memset(plan, 0, sizeof(*plan));
	/* Ordered: free first (a block allocated while the rest is attached must have its free
	 * seen), then the return probe (a call entered before it existed would never see its
	 * return), then the entries. */
	plan->progs[plan->prog_count++] = t->skel->progs.free_enter;
	plan->progs[plan->prog_count++] = t->skel->progs.alloc_exit;
	for (size_t i = 0; i < ALLOCATOR_FUNCTIONS; i++) {
		const struct allocator_function *fn = &allocator_functions[i];
		const struct elf_symbol *sym = exact_function(tab, fn->symbol);
		struct bpf_program *prog =
			*(struct bpf_program **)((char *)t->skel + fn->prog_offset);
		uint64_t offset;
		bool duplicate = false;

		if (!sym || !elf_symtab__vaddr_to_offset(tab, sym->vaddr, &offset))
			continue;
		/* Aliases (memalign = aligned_alloc in glibc) share one probe. */
		for (size_t j = 0; j < plan->functions; j++)
			duplicate |= seen[j] == offset;
		if (duplicate)
			continue;
		seen[plan->functions++] = offset;
		if (fn->returns) {
			plan_add(plan, t->skel->progs.alloc_exit, offset);
			plan_add(plan, prog, offset);
		} else {
			/* Entry-only (free): may start past a NULL check, off the single-step path. */
			struct probe_site site = probe_offset__for_symbol(path, tab, sym, true);

			if (verbose_messages)
				fprintf(stderr, "memtrace-bpf: %s in %s probed at +%#llx (%s)\n",
					fn->symbol, path, (unsigned long long)site.delta, site.why);
			plan_add(plan, prog, offset + site.delta);
		}
	}
}

/* Attaches every allocator function that the file defines; returns how many, or -errno. */
static int attach_module(struct alloc_tracer *t, pid_t pid, const char *path,
			 const struct elf_symtab *tab)
{
	struct probe_plan plan;

	plan_module(t, path, tab, &plan);
	for (size_t i = 0; i < plan.prog_count; i++) {
		bool retprobe = plan.progs[i] == t->skel->progs.alloc_exit;
		int err;

		if (!plan.counts[i])
			continue;
		err = probe_links__attach(&t->links, plan.progs[i], pid, path, plan.offsets[i],
					  NULL, plan.counts[i], retprobe);
		if (err) {
			/* The kernel refuses a second uprobe at an address that another tool
			 * probes with a different USDT semaphore offset (seen with BCC). */
			fprintf(stderr, "memtrace-bpf: cannot attach the allocator probes (%s) in %s: "
				"%s%s\n", bpf_program__name(plan.progs[i]), path, strerror(-err),
				err == -EINVAL ? " (does another tracer probe it? the kernel log says "
				"'ref_ctr_offset mismatch' then)" : "");
			return err;
		}
	}
	return (int)plan.functions;
}

static bool defines_malloc(const struct elf_symtab *tab)
{
	return tab && exact_function(tab, "malloc");
}

static void seed_brk(struct alloc_tracer *t, pid_t pid)
{
	struct procmaps maps;
	__u32 tgid = pid;

	if (procmaps__read(pid, &maps))
		return;
	for (size_t i = 0; i < maps.count; i++) {
		if (!strcmp(maps.mappings[i].path, "[heap]")) {
			__u64 end = maps.mappings[i].end;

			bpf_map__update_elem(t->skel->maps.last_brk, &tgid, sizeof(tgid), &end,
					     sizeof(end), BPF_ANY);
		}
	}
	procmaps__free(&maps);
}

/* Probes the malloc family in every file of modules (NULL: of pid's mappings) that defines
 * malloc. Returns an exit_code. */
static int attach_allocators(struct alloc_tracer *t, pid_t pid, const char *const *modules)
{
	char **paths = NULL;
	size_t count = 0;
	int attached = 0, err;

	err = procmaps__files_to_probe(pid, modules, &paths, &count);
	if (err) {
		fprintf(stderr, "memtrace-bpf: cannot read /proc/%d/maps: %s\n", pid, strerror(-err));
		return err == -ENOENT ? EXIT_NO_PROCESS :
		       err == -EACCES || err == -EPERM ? EXIT_PERMISSION : EXIT_INTERNAL;
	}
	for (size_t i = 0; i < count; i++) {
		const struct elf_symtab *tab = symtab_cache__get(t->cache, paths[i], NULL);

		if (!defines_malloc(tab))
			continue;
		err = attach_module(t, pid, paths[i], tab);
		if (err < 0) {
			file_paths__free(paths, count);
			return err == -ESRCH ? EXIT_NO_PROCESS : EXIT_ATTACH;
		}
		attached += err;
	}
	file_paths__free(paths, count);
	if (!attached) {
		fprintf(stderr, "memtrace-bpf: no malloc found in the files that PID %d maps "
			"(is it statically linked and stripped?)\n", pid);
		return EXIT_NO_ALLOCATOR;
	}
	allocators_attached(t, 1);
	return EXIT_OK;
}

int alloc_tracer__attach(struct alloc_tracer *t, pid_t pid, const char *const *modules)
{
	__u32 tgid = pid;
	__u8 one = 1;
	int code;

	if (t->allocator_probes && (code = attach_allocators(t, pid, modules)))
		return code;
	/* Windowed: attached only to learn now, not at the first window, that they attach;
	 * what they saw in that moment is forgotten. */
	if (t->windowed)
		alloc_tracer__window_close(t, pid, 0);
	if (!modules)
		seed_brk(t, pid);
	bpf_map__update_elem(t->skel->maps.traced_tgids, &tgid, sizeof(tgid), &one, sizeof(one),
			     BPF_ANY);
	return EXIT_OK;
}

/* --- exact windows (the default mode) ---------------------------------------------- */

/* Blocks forgotten at windows' ends, per process: counted as freed from then on. */
struct forgotten {
	__u32 tgid;
	uint64_t allocs, bytes;
};

int alloc_tracer__window_open(struct alloc_tracer *t, pid_t pid)
{
	return attach_allocators(t, pid, NULL);
}

struct young_walk {
	struct alloc_tracer *t;
	__u32 tgid;
	uint64_t since_ns;
	struct outstanding_key *keys;
	struct outstanding_alloc *allocs;
	size_t count, capacity;
};

static int collect_young(const void *key, const void *value, void *ctx)
{
	const struct outstanding_key *k = key;
	const struct outstanding_alloc *a = value;
	struct young_walk *w = ctx;

	if (k->tgid != w->tgid || a->timestamp_ns < w->since_ns)
		return 0;
	if (grow_for_one((void **)&w->keys, &w->capacity, w->count, sizeof(*w->keys)))
		return -ENOMEM;
	w->allocs = realloc(w->allocs, w->capacity * sizeof(*w->allocs));
	if (!w->allocs)
		return -ENOMEM;
	w->keys[w->count] = *k;
	w->allocs[w->count++] = *a;
	return 0;
}

/* A forgotten block counts as freed on its stack (nothing else writes pid's entries now). */
static void unstack(struct alloc_tracer *t, __u32 tgid, const struct outstanding_alloc *a)
{
	struct stack_key key = { .tgid = tgid, .stack_id = a->stack_id };
	struct stack_stats st;
	int fd = bpf_map__fd(t->skel->maps.stack_stats);

	if (a->stack_id < 0 || bpf_map_lookup_elem(fd, &key, &st))
		return;
	st.frees++;
	st.bytes_freed += a->size;
	bpf_map_update_elem(fd, &key, &st, BPF_EXIST);
}

static struct forgotten *forgotten_of(struct alloc_tracer *t, __u32 tgid, bool add)
{
	for (size_t i = 0; i < t->forgotten_count; i++)
		if (t->forgotten[i].tgid == tgid)
			return &t->forgotten[i];
	if (!add || grow_for_one((void **)&t->forgotten, &t->forgotten_capacity,
				 t->forgotten_count, sizeof(*t->forgotten)))
		return NULL;
	t->forgotten[t->forgotten_count] = (struct forgotten){ .tgid = tgid };
	return &t->forgotten[t->forgotten_count++];
}

int alloc_tracer__window_close(struct alloc_tracer *t, pid_t pid, uint64_t young_since_ns)
{
	struct young_walk w = { .t = t, .tgid = (__u32)pid, .since_ns = young_since_ns };
	int fds[OUTSTANDING_MAX_LEVELS], levels, err = 0;
	struct forgotten *f;

	/* Now, not in the background: unstack() below rewrites stack entries the programs add to. */
	if (probe_links__release_now(&t->links, pid))
		allocators_attached(t, -1);
	levels = alloc_tracer__outstanding_fds(t, fds, OUTSTANDING_MAX_LEVELS);
	for (int i = 0; i < levels && !err; i++) {
		w.count = 0;
		err = map_batch__for_each(fds[i], sizeof(struct outstanding_key),
					  sizeof(struct outstanding_alloc), collect_young, &w);
		f = err ? NULL : forgotten_of(t, w.tgid, true);
		for (size_t j = 0; f && j < w.count; j++) {
			if (bpf_map_delete_elem(fds[i], &w.keys[j]))
				continue;
			__atomic_add_fetch(&t->released_entries, 1, __ATOMIC_RELAXED);
			unstack(t, w.tgid, &w.allocs[j]);
			f->allocs++;
			f->bytes += w.allocs[j].size;
		}
	}
	free(w.keys);
	free(w.allocs);
	return err;
}

bool alloc_tracer__windowed(const struct alloc_tracer *t)
{
	return t->windowed;
}

/* --- read --------------------------------------------------------------------------- */

/* A new entry for tgid: each map lists a process once, so the native and the mapping entries
 * of one process are paired after both reads (merge_totals), not searched for. */
static struct process_totals *totals_slot(struct alloc_tracer *t, __u32 tgid)
{
	if (grow_for_one((void **)&t->totals, &t->totals_capacity, t->totals_count,
			 sizeof(*t->totals)))
		return NULL;
	t->totals[t->totals_count] = (struct process_totals){ .tgid = tgid };
	return &t->totals[t->totals_count++];
}

static int sum_native(const void *key, const void *value, void *ctx)
{
	struct alloc_tracer *t = ctx;
	struct process_totals *p = totals_slot(t, *(const __u32 *)key);
	const struct native_stats *cpu = value;

	if (!p)
		return -ENOMEM;
	for (int c = 0; c < t->ncpus; c++)
		native_totals__add(&p->native, &cpu[c]);
	return 0;
}

static int sum_mmap(const void *key, const void *value, void *ctx)
{
	struct alloc_tracer *t = ctx;
	struct process_totals *p = totals_slot(t, *(const __u32 *)key);
	const struct mmap_stats *cpu = value;

	if (!p)
		return -ENOMEM;
	p->from_mmap_stats = true;
	for (int c = 0; c < t->ncpus; c++)
		mmap_totals__add(&p->mmap, &cpu[c]);
	return 0;
}

static int by_tgid(const void *a, const void *b)
{
	const struct process_totals *x = a, *y = b;

	return (x->tgid > y->tgid) - (x->tgid < y->tgid);
}

/* Sorted by process, its native and its mapping entry made one. */
static void merge_totals(struct alloc_tracer *t)
{
	size_t out = 0;

	if (t->totals_count > 1)
		qsort(t->totals, t->totals_count, sizeof(*t->totals), by_tgid);
	for (size_t i = 0; i < t->totals_count; i++) {
		struct process_totals *last = out ? &t->totals[out - 1] : NULL;

		if (last && last->tgid == t->totals[i].tgid) {
			if (t->totals[i].from_mmap_stats)
				last->mmap = t->totals[i].mmap;
			else
				last->native = t->totals[i].native;
			continue;
		}
		t->totals[out++] = t->totals[i];
	}
	t->totals_count = out;
}

/* Once per trace: the live figures are approximate from the first allocation not kept. */
static void warn_dropped(struct alloc_tracer *t)
{
	if (__atomic_load_n(&t->capacity, __ATOMIC_RELAXED) < t->max_entries)
		fprintf(stderr, "memtrace-bpf: warning: allocations came faster than the "
			"outstanding map grew: live figures are approximate from now on\n");
	else
		fprintf(stderr, "memtrace-bpf: warning: more than %u allocations outstanding: live "
			"figures are approximate from now on; raise --max-entries\n", t->max_entries);
	t->drop_warned = true;
}

int alloc_tracer__collect(struct alloc_tracer *t)
{
	int err;

	t->totals_count = 0;
	err = map_batch__for_each(bpf_map__fd(t->skel->maps.native_stats), sizeof(__u32),
				  t->ncpus * sizeof(struct native_stats), sum_native, t);
	if (!err)
		err = map_batch__for_each(bpf_map__fd(t->skel->maps.mmap_stats), sizeof(__u32),
					  t->ncpus * sizeof(struct mmap_stats), sum_mmap, t);
	merge_totals(t);
	for (size_t i = 0; i < t->totals_count && !t->drop_warned; i++)
		if (t->totals[i].native.dropped)
			warn_dropped(t);
	return err;
}

void alloc_tracer__read(const struct alloc_tracer *t, pid_t pid, struct native_totals *native,
			struct mmap_totals *mmap)
{
	struct process_totals key = { .tgid = (__u32)pid };
	const struct process_totals *p = t->totals_count ?
		bsearch(&key, t->totals, t->totals_count, sizeof(*t->totals), by_tgid) : NULL;

	memset(native, 0, sizeof(*native));
	memset(mmap, 0, sizeof(*mmap));
	const struct forgotten *f;

	if (p) {
		*native = p->native;
		*mmap = p->mmap;
	}
	f = forgotten_of((struct alloc_tracer *)t, (__u32)pid, false);
	if (f) {
		native->frees += f->allocs;
		native->bytes_freed += f->bytes;
	}
}

void alloc_tracer__release(struct alloc_tracer *t, pid_t pid)
{
	__u32 tgid = (__u32)pid;

	struct forgotten *f = forgotten_of(t, tgid, false);

	if (f)
		*f = t->forgotten[--t->forgotten_count];
	if (probe_links__release(&t->links, pid))
		allocators_attached(t, -1);
	bpf_map__delete_elem(t->skel->maps.traced_tgids, &tgid, sizeof(tgid), 0);
	bpf_map__delete_elem(t->skel->maps.native_stats, &tgid, sizeof(tgid), 0);
	bpf_map__delete_elem(t->skel->maps.mmap_stats, &tgid, sizeof(tgid), 0);
	bpf_map__delete_elem(t->skel->maps.last_brk, &tgid, sizeof(tgid), 0);
	int fds[OUTSTANDING_MAX_LEVELS], levels = alloc_tracer__outstanding_fds(t, fds,
										  OUTSTANDING_MAX_LEVELS);

	for (int i = 0; i < levels; i++) {
		int deleted = map_batch__delete_process(fds[i], sizeof(struct outstanding_key),
							sizeof(struct outstanding_alloc), tgid);

		if (deleted > 0)
			__atomic_add_fetch(&t->released_entries, (uint64_t)deleted, __ATOMIC_RELAXED);
	}
	map_batch__delete_process(bpf_map__fd(t->skel->maps.stack_stats), sizeof(struct stack_key),
				  sizeof(struct stack_stats), tgid);
	map_batch__delete_process(bpf_map__fd(t->skel->maps.heap_growth),
				  sizeof(struct heap_growth_key), sizeof(struct heap_growth_stats), tgid);
	bpf_map__delete_elem(t->skel->maps.py_stack_configs, &tgid, sizeof(tgid), 0);
	bpf_map__delete_elem(t->skel->maps.brk_high, &tgid, sizeof(tgid), 0);
}

bool alloc_tracer__mappings_traced(const struct alloc_tracer *t)
{
	return t->mappings_traced;
}

bool alloc_tracer__allocator_probed(const struct alloc_tracer *t)
{
	return t->allocator_probes;
}

int alloc_tracer__map_fd(struct alloc_tracer *t, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(t->skel->obj, name);

	return map ? bpf_map__fd(map) : -1;
}

void alloc_tracer__destroy(struct alloc_tracer *t)
{
	if (!t)
		return;
	if (t->grower_started) {
		pthread_mutex_lock(&t->level_lock);
		t->grower_stop = true;
		pthread_cond_signal(&t->grower_wake);
		pthread_mutex_unlock(&t->level_lock);
		pthread_join(t->grower, NULL);
	}
	for (unsigned int i = 0; i < t->level_count; i++)
		close(t->level_fds[i]);
	pthread_mutex_destroy(&t->level_lock);
	pthread_cond_destroy(&t->grower_wake);
	ring_buffer__free(t->forks);
	probe_links__destroy(&t->links);
	free(t->totals);
	free(t->forgotten);
	alloc_bpf__destroy(t->skel);
	free(t);
}
