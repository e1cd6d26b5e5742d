/*
 * What the survival judge (survival.h) needs of one process: its stacks and Python types at
 * warm-up, how each type's census count moved after it, and at exit the counts of each.
 */
#ifndef MEMTRACE_ANALYSIS_SURVIVAL_WATCH_H
#define MEMTRACE_ANALYSIS_SURVIVAL_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/survival.h"
#include "model/report.h"

struct survival_track;

struct survival_watch {
	uint64_t warmup_ns;
	bool taken;                  /* the warm-up figures were taken... */
	uint64_t taken_ns;           /* ...at this report (since attach) */
	uint64_t census_ns;          /* the last report with a census after it */
	struct survival_track *tracks;
	size_t track_count, track_capacity;
};

/* One stack (index into the exit report's stacks) or Python type (into its python types). */
struct survival_candidate {
	size_t index;
	struct survival_counts counts;
	double span_s;               /* from warm-up to exit (a type: to the last census) */
};

void survival_watch__init(struct survival_watch *w, uint64_t warmup_ns);
/* A report while the process runs: the warm-up figures at the first at or after warmup_ns
 * (its stacks: the top stacks it carries; exact native counts only), then how each stack's
 * live bytes and each type's live count moved. */
void survival_watch__interval(struct survival_watch *w, const struct process_report *r);
/* At exit (r: the summary): the counts of each of r's stacks and Python types since warm-up.
 * *stacks and *types are malloc'ed. Returns 0, -EAGAIN (no warm-up figures), -ENOMEM. */
int survival_watch__exit(const struct survival_watch *w, const struct process_report *r,
			 struct survival_candidate **stacks, size_t *stack_count,
			 struct survival_candidate **types, size_t *type_count);
void survival_watch__free(struct survival_watch *w);

#endif /* MEMTRACE_ANALYSIS_SURVIVAL_WATCH_H */
