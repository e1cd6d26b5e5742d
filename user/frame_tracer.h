/* Frames: user half of bpf/frames.bpf.c. */
#ifndef MEMTRACE_FRAME_TRACER_H
#define MEMTRACE_FRAME_TRACER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "analysis_events.h"
#include "analysis_options.h"
#include "frame_report.h"
#include "report.h"
#include "symbolizer.h"
#include "symtab_cache.h"

struct frame_tracer;
struct alloc_tracer;

typedef void (*frame_cb)(void *ctx, const struct frame_report *frame);

/* *out is NULL (and EXIT_OK returned) when no --frame was given. Returns an exit_code. */
/* py_counters_fd: python.bpf.c's per-process counters (--python=events), or -1. */
int frame_tracer__open(struct frame_tracer **out, const struct analysis_options *opts,
		       struct alloc_tracer *alloc, int py_counters_fd, struct symtab_cache *cache);
/* Attaches the frame and stage probes for pid, in modules (NULL: the files pid maps). */
int frame_tracer__attach(struct frame_tracer *t, pid_t pid, const char *const *modules);
/* Delivers the frames ended so far; t may be NULL. */
void frame_tracer__poll(struct frame_tracer *t, frame_cb cb, void *ctx);
void frame_tracer__destroy(struct frame_tracer *t);

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

/* One walk of pid's stacks per interval: the top stacks by live bytes, not symbolized
 * (depth 0: stack_report__symbolize names one when it is needed), and the marks renewed. */
int stack_walk__interval(struct alloc_tracer *alloc, pid_t pid, size_t top,
			 struct stack_marks *marks, struct stack_report **stacks, size_t *count);
/* The stack that allocated most since the marks were taken (at a frame's spike). */
int stack_walk__grown(struct alloc_tracer *alloc, pid_t pid, const struct stack_marks *marks,
		      int *stack_id, uint64_t *bytes);
/* Fills r->frames and r->depth from r->stack_id, if not done yet. */
void stack_report__symbolize(struct alloc_tracer *alloc, struct symbolizer *sym,
			     struct stack_report *r);
void stack_marks__free(struct stack_marks *marks);

/* Finds SYMBOL (or its demangled C++ form) in one of the ELF files; fills path and the
 * file offset. Exposed for the tests. */
int frame_symbol__resolve(struct symtab_cache *cache, const char *const *paths, size_t count,
			  const char *symbol, const char *lib, char *path, size_t path_size,
			  uint64_t *offset);

#endif
