/* Lifetimes of freed allocations and pool hints (docs/analysis.md "Lifetimes and pools"):
 * plain data for the analysis and the outputs. */
#ifndef MEMTRACE_LIFETIME_REPORT_H
#define MEMTRACE_LIFETIME_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "model/python_stack.h"

struct stack_report;
struct python_type_report;

/* The frees whose lifetime was measured (from an allocation seen to its free): LIFETIME_BUCKETS
 * log2 buckets of microseconds, those shorter than the temporary threshold, their sum. */
struct lifetime_stats {
	uint64_t hist[LIFETIME_BUCKETS];
	uint64_t temporary;
	uint64_t total_ns;
};

/* A stack or a Python type that allocates and frees one size class at a high rate: what an
 * object pool of peak_live blocks would save (analysis/pools.c). */
struct pool_hint {
	bool python_type;
	char name[256];              /* the type, or the stack's innermost frame */
	int stack_id;                /* native: its id; frames filled by the loader */
	char **frames;               /* native, innermost first */
	size_t depth;
	const struct python_stack *python; /* native: the Python code (borrowed); NULL: none */
	uint64_t size;               /* the block size a pool would hold */
	uint64_t peak_live;          /* the most blocks live at once: the pool's size */
	uint64_t allocs, frees;      /* since attach */
	double allocs_per_s;
	double allocs_per_frame;     /* < 0: no --frame */
	double calls_saved_per_s;    /* malloc and free calls a warm pool avoids */
	double bytes_churned_per_s;  /* bytes through the allocator that a pool would keep */
};

/* The summary's lifetimes section, made by the loader. */
struct lifetime_summary {
	uint64_t temporary_ns;       /* --temporary-ms */
	struct lifetime_stats total; /* over every stack of the process */
	struct stack_report *stacks; /* the --top stacks by allocations made, freed or not */
	size_t stack_count;
	/* --python=events: the --top types by instances created (borrowed from the report) */
	const struct python_type_report **types;
	size_t type_count;
	struct pool_hint *pools;     /* most calls saved first */
	size_t pool_count;
};

#endif
