/* Structs shared by bpf/gc.bpf.c and user/probes/gc/gc_tracer.c: plain data, no includes. */
#ifndef MEMTRACE_GC_H
#define MEMTRACE_GC_H

/* Where the interpreter keeps its own GC statistics: three struct gc_generation_stats
 * {collections, collected, uncollectable}, read at the start and the end of a collection. */
struct gc_config {
	unsigned long long stats_addr;
};

struct gc_stats_snapshot {
	long long v[9];                 /* [generation * 3 + {0: collections, 1: collected, 2: uncollectable}] */
};

/* A collection under way, per thread. */
struct gc_pending {
	unsigned int tgid;              /* its entries go when the process is released */
	int py_stack_id;                /* the Python code that triggered it; < 0: none */
	unsigned long long start_ns;
	struct gc_stats_snapshot before;
};

struct gc_event {
	unsigned int tgid;
	int generation;                 /* -1: the statistics did not tell */
	unsigned long long start_ns;    /* CLOCK_MONOTONIC */
	unsigned long long duration_ns;
	long long collected;            /* -1: unknown */
	long long uncollectable;        /* -1: unknown */
	int py_stack_id;                /* in py_stacks (python_stack.bpf.h); < 0: none */
	unsigned int pad;
};

#endif
