/* alloc.bpf.c's per-process allocator counters, declared once for every object that reads
 * them: frames.bpf.c's copy is pointed at alloc.bpf.c's map by the loader (bpf_map__reuse_fd),
 * which requires the same type, key, value and size. */
#ifndef MEMTRACE_NATIVE_STATS_MAP_BPF_H
#define MEMTRACE_NATIVE_STATS_MAP_BPF_H

#include "alloc.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct native_stats);
} native_stats SEC(".maps");

#endif
