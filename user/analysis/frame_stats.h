/* Frame timing: FPS over a window of recent frames, dropped frames against --target-fps,
 * and memory in dropped vs normal frames. Pure C, unit-tested. */
#ifndef MEMTRACE_FRAME_STATS_H
#define MEMTRACE_FRAME_STATS_H

#include <stdbool.h>
#include <stdint.h>

#define FRAME_STATS_WINDOW 60

/* A frame is dropped when it lasts longer than FRAME_DROP_FACTOR frame budgets
 * (1 / target_fps): it missed at least one presentation slot. */
#define FRAME_DROP_FACTOR 1.5

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
	uint64_t duration_sum_ns, duration_max_ns;
	struct frame_class_totals dropped, normal;
	bool memory_unknown;                 /* frames came without allocator figures (--light) */
};

void frame_stats__init(struct frame_stats *s, double target_fps);
/* Adds a frame; returns true when it is dropped. fps, if not NULL, gets the FPS over the
 * window (0 until two frames). */
bool frame_stats__add(struct frame_stats *s, uint64_t start_ns, uint64_t end_ns,
		      uint64_t allocs, uint64_t bytes_allocated, double *fps);
/* A GC run that happened inside a frame of the given class. */
void frame_stats__add_gc(struct frame_stats *s, bool in_dropped_frame);
bool frame_stats__is_dropped(const struct frame_stats *s, uint64_t duration_ns);
double frame_stats__fps(const struct frame_stats *s);

#endif
