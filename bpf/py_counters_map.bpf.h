/* python.bpf.c's per-process event counters (--python=events), declared once for every
 * object that reads them: frames.bpf.c's copy is pointed at python.bpf.c's map by the loader
 * (bpf_map__reuse_fd), which requires the same type, key, value and size. */
#ifndef MEMTRACE_PY_COUNTERS_MAP_BPF_H
#define MEMTRACE_PY_COUNTERS_MAP_BPF_H

#include "python.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct py_event_counters);
} py_counters SEC(".maps");

#endif
