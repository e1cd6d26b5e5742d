/* Pool hints: stacks and Python types that allocate and free one size class at a high
 * rate, and what an object pool would save (docs/analysis.md). Plain C, unit-tested. */
#ifndef MEMTRACE_POOLS_H
#define MEMTRACE_POOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/lifetime_report.h"

/* What makes a pool candidate (all of them). */
#define POOL_MIN_ALLOCS 1000         /* allocations since attach */
#define POOL_MIN_ALLOCS_PER_S 100.0  /* over the time the allocator was watched */
#define POOL_MIN_FREED_SHARE 0.9     /* most of them freed again */
#define POOL_MIN_REUSE 10.0          /* allocations per pool slot (allocs / peak_live) */
#define POOL_SIZE_CLASS 16           /* sizes within one 16-byte class (glibc's granule) */
#define POOL_MAX_HINTS 10

/* One stack's or type's counts since attach. */
struct pool_usage {
	bool python_type;
	int stack_id;                /* native */
	const char *name;            /* python_type: the type's name */
	uint64_t allocs, frees, bytes_allocated;
	uint64_t peak_live;
	uint64_t size_min, size_max;
};

/* The candidates among in[0..n), most calls saved first, into out (room for max); returns
 * how many. watched_s: the time the allocator was watched (> 0); frames: frames ended
 * (--frame), 0 for none. */
size_t pool_hints__find(const struct pool_usage *in, size_t n, double watched_s,
			uint64_t frames, struct pool_hint *out, size_t max);
/* Sorts hints most calls saved first (hints found over different watched times, merged). */
void pool_hints__rank(struct pool_hint *hints, size_t n);

#endif
