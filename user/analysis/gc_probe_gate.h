/* The default mode's rule for the GC probes: each collection pays two traps (~3 us with the
 * programs), nothing for most programs but ~1-4% of one that runs thousands of young
 * collections a second. Above a rate the probes are paused (counts stay exact: they come
 * from the interpreter's own statistics; the collections run meanwhile are untimed), and
 * resumed once the rate has fallen well below it. Plain C over the
 * collection counts a report reads, so the rule is tested without a kernel. */
#ifndef MEMTRACE_GC_PROBE_GATE_H
#define MEMTRACE_GC_PROBE_GATE_H

#include <stdbool.h>
#include <stdint.h>

/* Collections a second above which the probes pause, and below which they resume: apart, so
 * that a rate near the limit does not attach and detach at every report. */
#define GC_PROBE_PAUSE_RATE 500
#define GC_PROBE_RESUME_RATE 200

enum gc_probe_action {
	GC_PROBES_KEEP,
	GC_PROBES_PAUSE,
	GC_PROBES_RESUME,
};

struct gc_probe_gate {
	bool enabled;                /* false: the probes stay (--exact, --frame) */
	bool paused;
	bool started;
	uint64_t checked_ns;         /* the last step */
	uint64_t collections_at_check;
};

/* One step per report, with the collections of every generation since the interpreter
 * began (its statistics) at now_ns: what to do with the probes. The caller says that it did
 * it (a resume can fail) with gc_probe_gate__done. */
enum gc_probe_action gc_probe_gate__step(struct gc_probe_gate *g, uint64_t now_ns,
					 uint64_t collections);
void gc_probe_gate__done(struct gc_probe_gate *g, enum gc_probe_action action);

#endif
