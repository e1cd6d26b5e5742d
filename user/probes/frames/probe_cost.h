/* What one probe hit costs the traced thread, measured at start on a function of the loader's
 * own: the frames' tracer time (frame_report.tracer_ns) is their hits times these costs. */
#ifndef MEMTRACE_PROBE_COST_H
#define MEMTRACE_PROBE_COST_H

#include <stdbool.h>

struct bpf_program;

struct probe_cost {
	bool known;
	double entry_ns;     /* a uprobe on a function's first instruction (an emulated push) */
	double return_ns;    /* a uretprobe added to it */
};

/* Times calls to the site bare, with entry attached, then with exit attached too (the median
 * of a few rounds). entry and exit run no work of their own,
 * so what the real programs do on top of the trap is not counted. */
void probe_cost__measure(struct bpf_program *entry, struct bpf_program *exit,
			 struct probe_cost *out);

#endif
