/* Frame timing: FPS over a window of recent frames, dropped frames against --target-fps,
 * and memory in dropped vs normal frames. Pure C, unit-tested. */
#ifndef MEMTRACE_FRAME_STATS_H
#define MEMTRACE_FRAME_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "model/frame_report.h"

/* A frame is dropped when, less the time the tracer's probes added to it (f->tracer_ns), it
 * lasts longer than FRAME_DROP_FACTOR frame budgets (1 / target_fps): it missed at least one
 * presentation slot. One drop per frame however long: the catch-up frames that follow a late
 * one (they skip their sleep) are short, and where they skip the --frame function as well
 * they are part of the one late frame. */
#define FRAME_DROP_FACTOR 1.5

void frame_stats__init(struct frame_stats *s, double target_fps);
/* Adds a frame (its span, tracer time, allocation figures); returns true when it is dropped.
 * A frame that began at attach (f->from_attach) is never: its start is not a frame's end.
 * fps, if not NULL, gets the FPS over the window (0 until two frames). */
bool frame_stats__add(struct frame_stats *s, const struct frame_report *f, double *fps);
/* A GC run that happened inside a frame of the given class. */
void frame_stats__add_gc(struct frame_stats *s, bool in_dropped_frame);
/* duration_ns less the tracer's time. */
bool frame_stats__is_dropped(const struct frame_stats *s, uint64_t duration_ns);
double frame_stats__fps(const struct frame_stats *s);

#endif
