/* The default mode's exact windows, per traced process: the scheduler's answers
 * (analysis/exact_windows.h) carried out on the allocator tracer, and each closed window's
 * stacks judged for leaks (analysis/window_leaks.h). */
#ifndef MEMTRACE_SESSION_WINDOWS_H
#define MEMTRACE_SESSION_WINDOWS_H

#include <stdint.h>

#include "analysis/runner.h"
#include "probes/alloc/alloc_stacks.h"
#include "probes/alloc/alloc_tracer.h"
#include "session/registry.h"

/* Windows stay open this long; the blocks of their last half are forgotten at the close
 * (their free would not be seen), and a stack must keep this much a window to leak. */
#define EXACT_WINDOW_NS 1000000000ull
#define EXACT_WINDOW_YOUNG_NS 500000000ull
#define WINDOW_GROWTH_TRIGGER (4ull << 20)
#define WINDOW_LEAK_MIN_BYTES (256ull << 10)

void session_windows__init(struct traced_process *p, unsigned int budget_pct, uint64_t now_ns);
/* Before the poll's read: opens or closes p's window as its scheduler says (rss_bytes: its
 * footprint now); close_all closes an open one whatever it says (the trace ends). */
void session_windows__tick(struct alloc_tracer *t, struct traced_process *p, uint64_t now_ns,
			   uint64_t rss_bytes, bool close_all);
/* After the read: a window that closed at this poll has its stacks judged. */
void session_windows__judge(struct analysis_runner *a, const struct stack_snapshot *snap,
			    struct traced_process *p, uint64_t now_ns);
/* The report's windowed fields. */
void session_windows__report(const struct traced_process *p, uint64_t now_ns,
			     struct process_report *r);

#endif
