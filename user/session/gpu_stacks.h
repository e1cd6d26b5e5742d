/* Names the GPU allocation stacks of a summary (user/probes/gpu/), with the alloc tracer's
 * symbolizer and the Python tracer: their stacks share one map. */
#ifndef MEMTRACE_GPU_STACKS_H
#define MEMTRACE_GPU_STACKS_H

#include <stddef.h>

#include "model/gpu_report.h"
#include "probes/alloc/alloc_tracer.h"
#include "probes/python/python_tracer.h"
#include "target/symbolizer.h"

/* Keeps the top stacks of g (most live bytes first) and symbolizes them; returns g (NULL
 * stays NULL). */
const struct gpu_report *gpu_stacks__name(struct gpu_report *g, struct alloc_tracer *alloc,
					  struct python_tracer *python, struct symbolizer *sym,
					  size_t top);

#endif
