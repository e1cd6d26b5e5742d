/* --frame: the live blocks the per-frame leak check judges (analysis/frame_leaks.h). */
#ifndef MEMTRACE_FRAME_BLOCKS_H
#define MEMTRACE_FRAME_BLOCKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "analysis/frame_leaks.h"

struct alloc_tracer;

/* pid's live blocks allocated in (since_ns, until_ns] (the tracer must stamp allocations:
 * alloc_tracer_opts.ages). *out is freed by the caller. 0, or -errno. */
int frame_blocks__read(struct alloc_tracer *alloc, pid_t pid, uint64_t since_ns,
		       uint64_t until_ns, struct frame_block **out, size_t *count);

#endif
