/* Structs shared by bpf/gc.bpf.c and user/probes/gc/gc_tracer.c: plain data, no includes. */
#ifndef MEMTRACE_GC_H
#define MEMTRACE_GC_H

struct gc_stats_snapshot {
	long long v[9];                 /* [generation * 3 + {0: collections, 1: collected, 2: uncollectable}] */
};

/* Per traced process: what the loader configures, and what gc_done adds up whatever the
 * events it sends (exact even where young collections are only sampled as events). */
struct gc_process {
	/* Where the interpreter keeps its own GC statistics: three struct gc_generation_stats
	 * {collections, collected, uncollectable}, read where a collection ends (and where the
	 * first one starts). */
	unsigned long long stats_addr;
	/* A young (generation 0) collection is sent as an event, with the Python stack that
	 * triggered it, at most once per young_gap_ns (0: every one); older and slow ones
	 * always are. Thousands of young collections a second would cost a stack walk and an
	 * event each, and fill the ring buffer. */
	unsigned long long young_gap_ns;
	/* Kept by the probes: */
	unsigned long long time_ns;          /* in collections */
	unsigned long long young_unlisted;   /* young collections sent as no event */
	unsigned long long timed[3];         /* collections timed, per generation */
	unsigned long long last_young_event_ns;
	/* The collection under way (0: none). A process's collections run one at a time (under
	 * its GC's lock), so this needs no per-thread storage: the probes touch this entry only. */
	unsigned long long start_ns;
	/* The statistics as the last collection left them, which are those the next one
	 * starts from: read where a collection ends (and where the first one starts). */
	struct gc_stats_snapshot after_last;
	unsigned int after_last_valid;
	unsigned int pad;
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
