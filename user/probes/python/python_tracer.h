/* The CPython collector of a trace session: finds the interpreter in each traced process,
 * takes censuses (default) or counts instances per class with probes (--python=events),
 * and times garbage collections. User half of bpf/python.bpf.c. */
#ifndef MEMTRACE_PYTHON_TRACER_H
#define MEMTRACE_PYTHON_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/python_report.h"
#include "model/python_stack.h"
#include "model/retainer_report.h"
#include "target/symtab_cache.h"

enum python_mode {
	PYTHON_MODE_CENSUS,
	PYTHON_MODE_EVENTS,
	PYTHON_MODE_OFF,
};

struct python_tracer;

/* Never fails the trace: a Python part that cannot load says why on stderr and stays off.
 * Returns NULL only for PYTHON_MODE_OFF or out of memory. */
/* stack_configs_fd, stacks_fd: the alloc tracer's Python-stack maps (py_stack_configs,
 * py_stacks: bpf/python_stack.bpf.h); each interpreter found is configured there, walking at
 * most stack_depth frames (-1: no Python stacks). */
struct python_tracer *python_tracer__new(enum python_mode mode, struct symtab_cache *cache,
					 int stack_configs_fd, int stacks_fd, unsigned int stack_depth);
/* A young collection is listed as a GC event (with its Python stack) at most once per ns
 * per process, every one with 0 (the default); all are counted and timed either way. Set
 * before the first attach. */
void python_tracer__set_gc_young_gap(struct python_tracer *pt, uint64_t ns);
/* The default mode: a process's GC probes pause while it runs more collections a second
 * than is worth their traps, and resume when it runs fewer (analysis/gc_probe_gate.h). Set
 * before the first attach. */
void python_tracer__set_gc_gated(struct python_tracer *pt, bool gated);
/* Event mode: an instance freed within temporary_ns of its creation is temporary (set before
 * the first attach). */
void python_tracer__set_temporary_ns(struct python_tracer *pt, uint64_t temporary_ns);
/* No line for a process found to run no Python (a scope: most do not). */
void python_tracer__quiet_not_python(struct python_tracer *pt);
/* Looks for an interpreter in pid now; with may_start_later (a launched command that has not
 * exec'd its interpreter yet) again at each report until it is found, for a while. Prints
 * one line when there is none. */
void python_tracer__attach(struct python_tracer *pt, pid_t pid, bool may_start_later);
/* The Python part of pid's report: NULL when pid runs no (supported) Python. summary: the
 * GC figures since attach instead of since the previous report; once the interpreter has
 * ended (exited: the process is gone), the figures of the last report taken while it ran.
 * The probes and map entries of a process found gone (at any report) are released then.
 * Valid until the next call. */
const struct python_report *python_tracer__report(struct python_tracer *pt, pid_t pid,
						  bool summary, bool exited);
/* Python stack id of pid, named (read from the target the first time, then remembered: it
 * stays available after the process exits). NULL: unknown id, or pid runs no Python. */
const struct python_stack *python_tracer__python_stack(struct python_tracer *pt, pid_t pid,
							 int id);
/* python.bpf.c's per-process counters (--python=events loaded), for the frame probes; -1. */
int python_tracer__counters_fd(const struct python_tracer *pt);
/* --frame: the collections of pid that started in [start_ns, end_ns) (CLOCK_MONOTONIC;
 * among the latest 256). False when its collections are not probed. */
bool python_tracer__gc_runs(struct python_tracer *pt, pid_t pid, uint64_t start_ns,
			    uint64_t end_ns, uint64_t *runs);
/* Census mode: what holds the instances of the type named type_name in pid, looked up in
 * its memory now (target/python/retainers.h); out->known false otherwise. */
void python_tracer__retained_by(struct python_tracer *pt, pid_t pid, const char *type_name,
				struct retainer_report *out);
/* Frees pid's Python state, detaches its probes and deletes its entries in the BPF maps:
 * for a process that exited, after its summary (whose report this invalidates). */
void python_tracer__release(struct python_tracer *pt, pid_t pid);
void python_tracer__destroy(struct python_tracer *pt);

#endif
