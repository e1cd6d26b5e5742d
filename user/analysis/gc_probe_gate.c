// SPDX-License-Identifier: GPL-2.0
#include "analysis/gc_probe_gate.h"

/* A rate over less than this is not read: a report right after another says little. */
#define GATE_MIN_SPAN_NS 200000000ull

enum gc_probe_action gc_probe_gate__step(struct gc_probe_gate *g, uint64_t now_ns,
					 uint64_t collections)
{
	uint64_t span, ran;

	if (!g->enabled)
		return GC_PROBES_KEEP;
	if (!g->started || collections < g->collections_at_check || now_ns < g->checked_ns) {
		g->started = true;
		g->checked_ns = now_ns;
		g->collections_at_check = collections;
		return GC_PROBES_KEEP;
	}
	span = now_ns - g->checked_ns;
	if (span < GATE_MIN_SPAN_NS)
		return GC_PROBES_KEEP;
	ran = collections - g->collections_at_check;
	g->checked_ns = now_ns;
	g->collections_at_check = collections;
	/* ran / span > rate, in integers: ran * 1e9 > rate * span */
	if (!g->paused && ran * 1000000000ull > GC_PROBE_PAUSE_RATE * span)
		return GC_PROBES_PAUSE;
	if (g->paused && ran * 1000000000ull < GC_PROBE_RESUME_RATE * span)
		return GC_PROBES_RESUME;
	return GC_PROBES_KEEP;
}

void gc_probe_gate__done(struct gc_probe_gate *g, enum gc_probe_action action)
{
	if (action == GC_PROBES_PAUSE)
		g->paused = true;
	else if (action == GC_PROBES_RESUME)
		g->paused = false;
}
