/* One frame of a traced process, as the analysis and the outputs see it. */
#ifndef MEMTRACE_FRAME_REPORT_H
#define MEMTRACE_FRAME_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "frames.h"

struct frame_stage_report {
	const char *name;
	uint64_t allocs, frees, bytes_allocated, bytes_freed;
	uint64_t duration_ns, hits;
};

struct frame_report {
	pid_t pid;
	uint64_t seq;
	uint64_t start_ns, end_ns;   /* CLOCK_MONOTONIC */
	bool native_known;           /* false with --light: the allocator figures are unknown */
	uint64_t allocs, frees, bytes_allocated, bytes_freed;
	uint64_t live_bytes, live_allocs;
	uint64_t lost;               /* frames lost before this one (ring buffer full) */
	bool tracer_known;           /* the cost of a probe hit was measured (probe_cost.h) */
	uint64_t tracer_ns;          /* what the probes added to the frame: hits x that cost */
	bool from_attach;            /* the first frame: it began when the probe was attached */
	bool dropped;                /* longer than the --target-fps budget allows */
	double fps;                  /* over the last frames (frame_stats.h) */
	bool gc_known;               /* the Python collector times pid's collections */
	uint64_t gc_runs;            /* Python collections that started in the frame */
	bool objects_known;          /* --python=events: its probes counted the objects below */
	uint64_t objects_created, objects_freed;
	int stage_count;
	struct frame_stage_report stages[FRAMES_MAX_STAGES];
};

static inline int64_t frame_net_bytes(const struct frame_report *f)
{
	return (int64_t)(f->bytes_allocated - f->bytes_freed);
}

/* Frame timing as the analysis keeps it (analysis/frame_stats.c): FPS over a window of
 * recent frames and the totals of dropped and normal frames. */
#define FRAME_STATS_WINDOW 60

struct frame_class_totals {
	uint64_t frames;
	uint64_t bytes_allocated, allocs;
	uint64_t gc_runs;
};

struct frame_stats {
	double target_fps;
	uint64_t ends[FRAME_STATS_WINDOW];   /* end times of the last frames, ring */
	unsigned int count, next;
	uint64_t frames;
	uint64_t duration_sum_ns, duration_max_ns;   /* as the program lived them, probes and all */
	uint64_t tracer_sum_ns, tracer_max_ns;       /* of that, the probes' (frame_report) */
	bool tracer_unknown;                         /* some frame's tracer time was unknown */
	struct frame_class_totals dropped, normal;
	bool memory_unknown;                 /* frames came without allocator figures (--light) */
};

#endif
