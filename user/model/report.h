/* What one poll learned about one traced process: plain data that the analysis and every
 * output writer share. Counts are cumulative since attach unless named *_delta. */
#ifndef MEMTRACE_REPORT_H
#define MEMTRACE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "alloc.h"
#include "model/lifetime_report.h"
#include "model/gpu_report.h"
#include "model/python_report.h"
#include "model/python_stack.h"

struct system_context;
struct analysis_summary;
struct fragmentation_report;

/* allocs and bytes_allocated count every allocation; dropped ones (outstanding map full) are
 * not tracked, so their frees cannot be matched: frees_dropped_or_untracked. */
/* The counters of include/alloc.h's NATIVE_COUNTERS, summed over CPUs. */
struct native_totals {
#define NATIVE_TOTAL(name, doc) uint64_t name;
	NATIVE_COUNTERS(NATIVE_TOTAL)
#undef NATIVE_TOTAL
	uint64_t size_hist[ALLOC_SIZE_BUCKETS];
};

#define MMAP_TOTAL_u uint64_t
#define MMAP_TOTAL_s int64_t

struct mmap_totals {
#define MMAP_TOTAL(sign, name) MMAP_TOTAL_##sign name;
	MMAP_COUNTERS(MMAP_TOTAL)
#undef MMAP_TOTAL
};

/* The most live native memory a report saw (sampled at each report, not at each call). */
struct native_peak {
	uint64_t live_bytes, live_allocs;
	uint64_t elapsed_ns;         /* when, since attach */
};

/* One frame of a stack in parts, for the formats that keep them apart (pprof). Its strings
 * are borrowed from the symbolizer: valid while the report is being written. */
struct stack_frame {
	uint64_t ip;
	const char *function;        /* NULL: no symbol covers ip */
	const char *module;          /* the file's path as mapped; NULL: ip is in no file */
	uint64_t module_start, module_limit, module_offset;  /* its mapping */
};

/* Allocations made from one user stack (in the summary: outstanding ones, or also stacks
 * whose blocks were all freed when an output asks for every stack). */
struct stack_report {
	int stack_id;
	uint64_t live_allocs, live_bytes;
	uint64_t allocs, bytes_allocated;
	struct lifetime_stats lifetimes;  /* of its blocks freed */
	uint64_t peak_live;          /* the most of its blocks live at once */
	uint64_t size_min, size_max; /* requested sizes */
	size_t depth;
	char **frames;               /* symbolized, innermost first */
	struct stack_frame *parts;   /* the same frames in parts; only in the summary (or NULL) */
	struct python_stack python;  /* the Python code that ran the allocations; depth 0: none */
};

static inline bool stack_report__live(const struct stack_report *s)
{
	return s->live_bytes || s->live_allocs;
}

/* What made the heap grow from one stack (brk, pymalloc arenas, large anonymous mappings):
 * by Python stack where the thread ran Python code, else by native stack. Only in the
 * summary. */
struct heap_growth_report {
	uint64_t bytes, events;
	unsigned int kinds;          /* 1 << enum heap_growth_kind, for each kind seen */
	struct python_stack python;  /* depth 0: none */
	size_t depth;
	char **frames;               /* native, symbolized, innermost first */
};

struct process_report {
	pid_t pid;
	char comm[32];
	bool exited;
	bool native_traced;          /* false with --light: the native counts are not known */
	/* The default mode: the native figures are what exact windows saw (not every call). */
	bool native_windowed;
	double exact_share;          /* share of the elapsed time with the allocator probed */
	unsigned int exact_windows;  /* windows opened so far */
	bool window_open;            /* one is open now */
	uint64_t elapsed_ns;         /* since attach */
	uint64_t attach_ns;          /* CLOCK_MONOTONIC at attach (frames and GC runs use it) */
	uint64_t attach_realtime_ns; /* the wall clock then (pprof's time_nanos); 0: unknown */
	uint64_t interval_ns;        /* since the previous report */
	struct native_totals native, native_delta;
	struct mmap_totals mmap, mmap_delta;
	uint64_t rss_bytes;          /* 0 once the process is gone */
	struct native_peak peak;
	/* A process that exited: the counts at its last report while it ran (an interpreter's
	 * shutdown frees what it held); NULL while it runs or when no report saw it run. */
	const struct native_totals *last_running;
	/* --py-stack-sample: the stacks' Python frames are those of a sample of the allocations,
	 * one per this many bytes on average; 0: of every allocation. */
	uint64_t python_stack_sample_bytes;
	struct stack_report *stacks; /* only in the summary: top stacks by live bytes (every
				      * stack for an output with all_stacks, output.h) */
	size_t stack_count;
	struct heap_growth_report *growth;  /* only in the summary: most bytes first */
	size_t growth_count;
	bool growth_known;           /* a summary: growth was read (the list may be empty) */
	uint64_t growth_lost;        /* growth events not attributed: a map was full */
	/* only in the summary: lifetimes of every stack, pool hints; NULL: not measured */
	const struct lifetime_summary *lifetimes;
	const struct python_report *python; /* NULL: no (supported) Python, or --python=off */
	const struct gpu_report *gpu;  /* NULL: no CUDA library probed (docs/gpu.md) */
	const struct system_context *system;     /* PSS, cgroup (sysctx.h); NULL: not read */
	/* Live bytes vs the allocators' holdings (model/fragmentation_report.h); NULL: not read */
	const struct fragmentation_report *fragmentation;
	const struct analysis_summary *analysis; /* only in the summary (analysis_events.h) */
};

/* Live figures of the tracked allocations: exact while nothing was dropped; after drops a
 * lower bound, the truth lying between them and the *_max figures below. */
static inline uint64_t native_live_bytes(const struct native_totals *n)
{
	return n->bytes_allocated - n->bytes_dropped - n->bytes_freed;
}

static inline uint64_t native_live_allocs(const struct native_totals *n)
{
	return n->allocs - n->dropped - n->frees;
}

/* Live figures are approximate once an allocation was dropped (outstanding map full). */
static inline bool native_live_approximate(const struct native_totals *n)
{
	return n->dropped != 0;
}

/* The bound: as if no dropped block had been freed. */
static inline uint64_t native_live_bytes_max(const struct native_totals *n)
{
	return native_live_bytes(n) + n->bytes_dropped;
}

static inline uint64_t native_live_allocs_max(const struct native_totals *n)
{
	return native_live_allocs(n) + n->dropped;
}

/* Stack figures miss the allocations whose stack was not recorded and the dropped ones. */
static inline bool native_stacks_partial(const struct native_totals *n)
{
	return n->stack_dropped != 0 || n->dropped != 0;
}

void native_totals__subtract(struct native_totals *out, const struct native_totals *now,
			     const struct native_totals *before);
/* Adds one CPU's counters (as the kernel keeps them) to n. */
void native_totals__add(struct native_totals *n, const struct native_stats *cpu);
void mmap_totals__add(struct mmap_totals *m, const struct mmap_stats *cpu);
void mmap_totals__subtract(struct mmap_totals *out, const struct mmap_totals *now,
			   const struct mmap_totals *before);
void process_report__free_stacks(struct process_report *report);
void process_report__free_stack_list(struct stack_report *stacks, size_t count);
void process_report__free_growth(struct process_report *report);
/* A deep copy (to->frames malloc'ed; depth 0 when out of memory). */
void python_stack__copy(struct python_stack *to, const struct python_stack *from);

#endif
