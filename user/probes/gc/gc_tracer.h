/* CPython garbage collection events: user half of bpf/gc.bpf.c. */
#ifndef MEMTRACE_GC_TRACER_H
#define MEMTRACE_GC_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "gc.h"
#include "target/python/detect.h"

struct gc_tracer;

typedef void (*gc_event_fn)(void *ctx, const struct gc_event *e);

/* Loads the programs. Returns 0 or -errno. */
/* py_configs_fd, py_stacks_fd: the alloc tracer's Python-stack maps, shared so that a
 * collection carries the Python stack that triggered it (-1: none). */
int gc_tracer__open(struct gc_tracer **out, gc_event_fn fn, void *ctx, int py_configs_fd,
		    int py_stacks_fd);
/* Probes the collections of pid: USDT python:gc__start/gc__done when the file has them,
 * else the collector function (gc_collect_main, or collect before 3.10) and its return.
 * stats_addr is the interpreter's generation_stats. Returns 0, or -errno with why set. */
int gc_tracer__attach(struct gc_tracer *t, const struct py_target *target, uint64_t stats_addr,
		      char *why, size_t why_size);
/* The default mode's gate (analysis/gc_probe_gate.h): pause detaches pid's probes and keeps
 * its totals; resume attaches them again. Return 0 or -errno. */
int gc_tracer__pause(struct gc_tracer *t, pid_t pid);
int gc_tracer__resume(struct gc_tracer *t, const struct py_target *target);
/* A young collection is an event at most once per ns per process (0: every one; the
 * default). Set before the first attach. */
void gc_tracer__set_young_gap(struct gc_tracer *t, uint64_t ns);

/* What the probes added up for a process since its attach, every collection counted. */
struct gc_totals {
	uint64_t time_ns;            /* in collections */
	uint64_t young_unlisted;     /* young collections sent as no event (the gap) */
	uint64_t timed[3];           /* collections timed, per generation */
};
/* false: pid is not probed (or was released). */
bool gc_tracer__totals(struct gc_tracer *t, pid_t pid, struct gc_totals *out);
/* Delivers the pending events to fn. */
void gc_tracer__poll(struct gc_tracer *t);
/* Events lost because the ring buffer was full. */
uint64_t gc_tracer__dropped(struct gc_tracer *t);
/* Detaches pid's probes and deletes its entries in the maps (a process that exited). */
void gc_tracer__release(struct gc_tracer *t, pid_t pid);
void gc_tracer__destroy(struct gc_tracer *t);

#endif
