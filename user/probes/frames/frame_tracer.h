/* Frames: user half of bpf/frames.bpf.c. */
#ifndef MEMTRACE_FRAME_TRACER_H
#define MEMTRACE_FRAME_TRACER_H

#include <sys/types.h>

#include "analysis/options.h"
#include "model/frame_report.h"
#include "target/symtab_cache.h"

struct frame_tracer;
struct alloc_tracer;

typedef void (*frame_cb)(void *ctx, const struct frame_report *frame);

/* *out is NULL (and EXIT_OK returned) when no --frame was given. Returns an exit_code. */
/* py_counters_fd: python.bpf.c's per-process counters (--python=events), or -1. */
int frame_tracer__open(struct frame_tracer **out, const struct analysis_options *opts,
		       struct alloc_tracer *alloc, int py_counters_fd, struct symtab_cache *cache);
/* Attaches the frame and stage probes for pid, in modules (NULL: the files pid maps). */
int frame_tracer__attach(struct frame_tracer *t, pid_t pid, const char *const *modules);
/* pid is gone: its probes detached, its frame state deleted; t may be NULL. */
void frame_tracer__release(struct frame_tracer *t, pid_t pid);
/* Delivers the frames ended so far; t may be NULL. */
void frame_tracer__poll(struct frame_tracer *t, frame_cb cb, void *ctx);
void frame_tracer__destroy(struct frame_tracer *t);

#endif
