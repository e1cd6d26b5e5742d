/* The OOM moment: user half of bpf/oom.bpf.c. Tells of each task the kernel's OOM killer
 * picks, as soon as it does; the poll loop sleeps on it. */
#ifndef MEMTRACE_OOM_TRACER_H
#define MEMTRACE_OOM_TRACER_H

#include "model/oom_victim.h"

struct oom_tracer;

typedef void (*oom_victim_fn)(void *ctx, const struct oom_victim *victim);

/* NULL, with a warning said, where the tracepoint cannot be attached: the session runs on
 * without OOM events. */
struct oom_tracer *oom_tracer__open(void);
/* Sleeps until a victim is told or timeout_ms passed (or a signal came), calling fn for each
 * one told. */
void oom_tracer__wait(struct oom_tracer *t, int timeout_ms, oom_victim_fn fn, void *ctx);
void oom_tracer__destroy(struct oom_tracer *t);

#endif
