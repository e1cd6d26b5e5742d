/* Live requested bytes against what the allocators hold and RSS, per snapshot, and what the
 * fragmentation detector made of their series (analysis/fragmentation.h): for glibc's main
 * arena and for pymalloc, each on its own. */
#ifndef MEMTRACE_FRAGMENTATION_REPORT_H
#define MEMTRACE_FRAGMENTATION_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "target/glibc_heap.h"
#include "target/python/pymalloc.h"

/* The detector's view of one allocator's series. */
struct fragmentation_verdict {
	bool judged;                 /* enough snapshots for the detector */
	bool fragmenting;            /* its verdict at this snapshot */
	double gap_growth_per_s, live_growth_per_s;
	bool found;                  /* a fragmentation event was emitted ... */
	uint64_t found_at_ns;        /* ... at this time since attach */
};

struct fragmentation_report {
	bool live_known;             /* native live bytes are exact: --exact and nothing dropped */
	uint64_t live_bytes;
	struct glibc_heap glibc;     /* the main arena (or only the [heap] mapping) */
	bool held_known;             /* glibc.held_bytes, else glibc.heap_bytes */
	uint64_t held_bytes;
	struct fragmentation_verdict glibc_verdict;  /* live_bytes against held_bytes */
	struct pymalloc_usage pymalloc;              /* known: a CPython whose arenas were read */
	struct fragmentation_verdict pymalloc_verdict; /* its block bytes against its arenas */
	uint64_t rss_bytes;
};

/* What the allocator holds beyond the live requested bytes (negative: blocks of their own
 * mappings, or of other threads' arenas, are live but not in the main arena). */
static inline int64_t fragmentation_gap(const struct fragmentation_report *f)
{
	return (int64_t)f->held_bytes - (int64_t)f->live_bytes;
}

#endif
