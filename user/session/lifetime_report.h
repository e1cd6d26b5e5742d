/* The summary's lifetimes section: every stack's lifetimes added up, the --top stacks by
 * allocations made, and the pool hints of the stacks and Python types that churn one size
 * class (analysis/pools.c), named. */
#ifndef MEMTRACE_LIFETIME_REPORT_SESSION_H
#define MEMTRACE_LIFETIME_REPORT_SESSION_H

#include <stdint.h>

#include "model/report.h"
#include "probes/alloc/alloc_stacks.h"

struct python_tracer;

/* Fills ls from pid's stacks in snap (and r->python's types) and points r->lifetimes at it;
 * r->analysis, when set, gives the frame count. */
void lifetime_report__fill(struct lifetime_summary *ls, struct process_report *r,
			   const struct stack_snapshot *snap, struct alloc_tracer *at,
			   struct python_tracer *pt, struct symbolizer *sym, uint64_t temporary_ns,
			   size_t top);
void lifetime_report__free(struct lifetime_summary *ls);

#endif
