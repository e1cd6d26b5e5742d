// SPDX-License-Identifier: GPL-2.0
#include "analysis/frame_stats.h"

#include <string.h>

void frame_stats__init(struct frame_stats *s, double target_fps)
{
	memset(s, 0, sizeof(*s));
	s->target_fps = target_fps > 0 ? target_fps : 0;
}

bool frame_stats__is_dropped(const struct frame_stats *s, uint64_t duration_ns)
{
	return s->target_fps > 0 && duration_ns > FRAME_DROP_FACTOR * 1e9 / s->target_fps;
}

double frame_stats__fps(const struct frame_stats *s)
{
	unsigned int oldest;
	uint64_t newest, span;

	if (s->count < 2)
		return 0;
	newest = s->ends[(s->next + FRAME_STATS_WINDOW - 1) % FRAME_STATS_WINDOW];
	oldest = s->count < FRAME_STATS_WINDOW ? 0 : s->next;
	span = newest - s->ends[oldest];
	return span ? (s->count - 1) * 1e9 / (double)span : 0;
}

bool frame_stats__add(struct frame_stats *s, const struct frame_report *f, double *fps)
{
	uint64_t duration = f->end_ns > f->start_ns ? f->end_ns - f->start_ns : 0;
	uint64_t tracer = !f->tracer_known ? 0 : f->tracer_ns < duration ? f->tracer_ns : duration;
	bool dropped = !f->from_attach && frame_stats__is_dropped(s, duration - tracer);
	struct frame_class_totals *c = dropped ? &s->dropped : &s->normal;

	s->ends[s->next] = f->end_ns;
	s->next = (s->next + 1) % FRAME_STATS_WINDOW;
	if (s->count < FRAME_STATS_WINDOW)
		s->count++;
	s->frames++;
	s->duration_sum_ns += duration;
	if (duration > s->duration_max_ns)
		s->duration_max_ns = duration;
	s->tracer_unknown |= !f->tracer_known;
	s->tracer_sum_ns += tracer;
	if (tracer > s->tracer_max_ns)
		s->tracer_max_ns = tracer;
	c->frames++;
	c->allocs += f->allocs;
	c->bytes_allocated += f->bytes_allocated;
	if (fps)
		*fps = frame_stats__fps(s);
	return dropped;
}

void frame_stats__add_gc(struct frame_stats *s, bool in_dropped_frame)
{
	(in_dropped_frame ? &s->dropped : &s->normal)->gc_runs++;
}
