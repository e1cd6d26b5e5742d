/* The summary's heap growth by stack: the kernel's entries for a process (heap_growth.h)
 * grouped by Python stack where the thread ran Python, else by native stack, and named. */
#ifndef MEMTRACE_GROWTH_REPORT_H
#define MEMTRACE_GROWTH_REPORT_H

#include <stddef.h>

#include "model/report.h"
#include "probes/alloc/heap_growth.h"

struct alloc_tracer;
struct python_tracer;
struct symbolizer;

/* Names the Python stacks of pid's entries not named yet, while the process can be read. */
void growth_report__name_new(struct python_tracer *pt, const struct heap_growth_snapshot *snap,
			     pid_t pid);
/* r->growth: the top groups of pid, most bytes first. */
void growth_report__fill(struct process_report *r, const struct heap_growth_snapshot *snap,
			 struct alloc_tracer *at, struct python_tracer *pt, struct symbolizer *sym,
			 size_t top);

#endif
