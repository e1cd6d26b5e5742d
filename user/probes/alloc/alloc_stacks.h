/* The stacks and outstanding allocations alloc.bpf.c keeps (user/probes/alloc/alloc_stacks.c). */
#ifndef MEMTRACE_ALLOC_STACKS_H
#define MEMTRACE_ALLOC_STACKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/analysis_events.h"
#include "model/report.h"
#include "probes/alloc/alloc_tracer.h"
#include "target/symbolizer.h"

/* The stack_stats of every traced process, read in one batched walk per poll (not one walk
 * per process: the map is shared), by process and stack id. */
struct stack_entry;
struct stack_snapshot {
	struct stack_entry *items;
	size_t count;
};

int stack_snapshot__read(struct stack_snapshot *snap, struct alloc_tracer *alloc);
void stack_snapshot__free(struct stack_snapshot *snap);

/* Every stack of pid in the snapshot as the pool analysis reads it (*usage malloc'ed, NULL
 * when pid has none), and the lifetimes of them all added into *total. */
struct pool_usage;
int alloc_stacks__usage(const struct stack_snapshot *snap, pid_t pid, struct pool_usage **usage,
			size_t *count, struct lifetime_stats *total);

/* top: every stack that allocated, those whose blocks were all freed too (after the live
 * ones): a heap profile's alloc_* figures. */
#define ALLOC_STACKS_EVERY SIZE_MAX

/* The top stacks of pid by live bytes, symbolized, with their frames in parts. */
int alloc_stacks__top(struct alloc_tracer *alloc, const struct stack_snapshot *snap, pid_t pid,
		      struct symbolizer *sym, size_t top, struct stack_report **stacks,
		      size_t *count);
/* The top stacks of pid by allocations made (freed or not), symbolized (without parts). */
int alloc_stacks__busiest(struct alloc_tracer *alloc, const struct stack_snapshot *snap,
			  pid_t pid, struct symbolizer *sym, size_t top,
			  struct stack_report **stacks, size_t *count);
/* The frames of a stack id (stack_report, aged_report), symbolized; *frames (and *parts,
 * unless parts is NULL) are malloc'ed, *depth is 0 when the stack is unknown. The strings of
 * *parts are sym's and its cache's: valid until sym's next refresh. */
void alloc_stacks__symbolize(struct alloc_tracer *alloc, struct symbolizer *sym, int stack_id,
			     char ***frames, struct stack_frame **parts, size_t *depth);

/* The Python stack (py_stacks id) a stack ran under; -1: none or unknown. */
int alloc_stacks__python_stack_id(struct alloc_tracer *alloc, int stack_id);

/* Outstanding allocations of pid older than min_age_ns, grouped by allocating stack. */
int outstanding__aged(struct alloc_tracer *alloc, pid_t pid, uint64_t min_age_ns,
		      struct symbolizer *sym, size_t top, struct aged_report **out, size_t *count);
void aged_reports__free(struct aged_report *groups, size_t count);

/* Bytes allocated per stack at the last interval, to name what dominated a spike. */
struct stack_mark {
	int stack_id;
	uint64_t bytes_allocated;
};

struct stack_marks {
	struct stack_mark *items;    /* by stack_id */
	size_t count;
	int top_id;                  /* the stack that allocated most over the last interval; -1 */
	uint64_t top_bytes;
};

/* pid's stacks at an interval: the top stacks by live bytes, not symbolized (depth 0:
 * stack_report__symbolize names one when it is needed), and the marks renewed. */
int stack_walk__interval(const struct stack_snapshot *snap, pid_t pid, size_t top,
			 struct stack_marks *marks, struct stack_report **stacks, size_t *count);
/* The stack that allocated most since the marks were taken (at a frame's spike). */
int stack_walk__grown(struct alloc_tracer *alloc, pid_t pid, const struct stack_marks *marks,
		      int *stack_id, uint64_t *bytes);
/* Fills r->frames and r->depth from r->stack_id, if not done yet. */
void stack_report__symbolize(struct alloc_tracer *alloc, struct symbolizer *sym,
			     struct stack_report *r);
void stack_marks__free(struct stack_marks *marks);

#endif
