/* Heap growth by stack (bpf/alloc.bpf.c's heap_growth map): what grew the heap of a process,
 * with the native and Python stacks of the thread that did. Read once per poll for every
 * process, as the counters are. */
#ifndef MEMTRACE_HEAP_GROWTH_H
#define MEMTRACE_HEAP_GROWTH_H

#include <stddef.h>
#include <sys/types.h>

#include "alloc.h"

struct alloc_tracer;

struct heap_growth_entry {
	struct heap_growth_key key;
	struct heap_growth_stats stats;
};

/* Every process's entries, by tgid, most bytes first within one. */
struct heap_growth_snapshot {
	struct heap_growth_entry *entries;
	size_t count, capacity;
};

/* Reads the map anew (one batched read). Returns 0 or -errno (the snapshot then empty). */
int heap_growth__read(struct alloc_tracer *t, struct heap_growth_snapshot *snap);
/* pid's entries in the snapshot (NULL and 0 when none). */
const struct heap_growth_entry *heap_growth__of(const struct heap_growth_snapshot *snap,
						pid_t pid, size_t *count);
void heap_growth__free(struct heap_growth_snapshot *snap);

#endif
