/* Structs shared by bpf/frames.bpf.c and the loader: plain data, no includes. */
#ifndef MEMTRACE_FRAMES_H
#define MEMTRACE_FRAMES_H

#define FRAMES_MAX_STAGES 8
#define FRAMES_MAX_CPUS 512

/* Allocator counts over a span (a frame, a stage), from alloc.bpf.c's native_stats. */
struct frame_counts {
	unsigned long long allocs;
	unsigned long long frees;
	unsigned long long bytes_allocated;
	unsigned long long bytes_freed;
	/* --python=events: python.bpf.c's py_counters (allocs_seen, frees_seen) */
	unsigned long long py_allocs;
	unsigned long long py_frees;
	/* At a frame's end only (for live_*): allocations the outstanding map dropped */
	unsigned long long dropped;
	unsigned long long bytes_dropped;
};

struct frame_stage {
	struct frame_counts counts;
	unsigned long long duration_ns;
	unsigned long long hits;            /* times the stage began inside the frame */
};

/* One ended frame, sent on the ring buffer. */
struct frame_event {
	unsigned int tgid;
	unsigned int stage_count;
	unsigned long long seq;             /* 1, 2, ... per process */
	unsigned long long start_ns;        /* 0: the first frame, started at attach */
	unsigned long long end_ns;          /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	struct frame_counts counts;
	unsigned long long live_bytes;      /* since attach, at the frame's end */
	unsigned long long live_allocs;
	unsigned long long lost_before;     /* frames lost (ring buffer full) so far */
	struct frame_stage stages[FRAMES_MAX_STAGES];
};

/* Per traced process: where the current frame and stage began. */
struct frame_state {
	unsigned long long seq;
	unsigned long long start_ns;
	struct frame_counts base;
	unsigned int stage;                 /* 0: none; k: stage k-1 is running */
	unsigned int pad;
	unsigned long long stage_start_ns;
	struct frame_counts stage_base;
	struct frame_stage stages[FRAMES_MAX_STAGES];
	unsigned long long lost;
};

#endif
