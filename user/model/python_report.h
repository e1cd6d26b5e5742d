/* What one poll learned about the CPython interpreter of a traced process (a part of
 * struct process_report): plain data for the output writers. */
#ifndef MEMTRACE_PYTHON_REPORT_H
#define MEMTRACE_PYTHON_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/lifetime_report.h"
#include "model/python_stack.h"
#include "target/python/pymalloc.h"

struct python_type_report {
	char name[64];
	bool has_live;               /* false: this mode cannot count the type (null in JSON) */
	uint64_t live, live_bytes;
	uint64_t peak_live;          /* the most live at any report while the interpreter ran */
	bool has_events;             /* false: created/destroyed unknown (census mode) */
	uint64_t created, destroyed; /* since attach */
	uint64_t bytes_created;      /* has_events: of the instances created */
	/* has_events: the lifetimes of the instances freed, and the most live at once
	 * (counted at each creation, unlike peak_live) */
	struct lifetime_stats lifetimes;
	uint64_t events_peak_live;
};

struct python_gc_event {
	int generation;              /* -1: unknown */
	uint64_t start_ns;           /* CLOCK_MONOTONIC */
	uint64_t duration_ns;
	int64_t collected, uncollectable; /* -1: unknown */
	/* The Python code that triggered it (frames borrowed from the tracer: valid while the
	 * process is traced); depth 0: unknown. */
	struct python_stack trigger;
};

/* Event mode: instances of one type made by one Python stack, since attach. */
struct python_site_report {
	char type[64];
	struct python_stack python;  /* owned by the tracer; depth 0: no Python frame read */
	uint64_t created, destroyed; /* instances */
	uint64_t live, live_bytes;
};

struct python_report {
	char version[24];
	const char *mode;            /* "census" or "events" */
	/* The interpreter had ended (the process exited, or Py_FinalizeEx had begun): types,
	 * memory and GC are those of the last report taken while it ran. */
	bool last_seen;
	struct python_type_report *types; /* most live first */
	size_t type_count;
	/* GC over the interval (interval lines) or since attach (summary) */
	bool gc_known;
	uint64_t gc_collections[3];
	bool gc_counts_known;        /* collected/uncollectable */
	uint64_t gc_collected, gc_uncollectable;
	bool gc_time_known;          /* a probe timed the collections */
	uint64_t gc_time_ns;
	uint64_t gc_events_dropped;
	uint64_t gc_young_unlisted;  /* gc_time_known: young collections not in gc_events */
	uint64_t gc_untimed[3];      /* gc_time_known: collections per generation run while the
				      * default mode paused the probes (too many a second): in
				      * no event, not in gc_time_ns */
	struct python_gc_event *gc_events; /* the collections of this interval (a sample of
					    * the young ones: gc_young_unlisted) */
	size_t gc_event_count;
	/* the Python side of the process's memory */
	bool objects_known;
	uint64_t objects, object_bytes; /* census: GC-tracked objects and their bytes */
	uint64_t objects_peak;       /* the most objects of any census while the interpreter ran */
	bool census_partial;
	bool arenas_known;
	uint64_t arena_bytes;        /* pymalloc arenas in use */
	/* Only in an event-mode summary: the sites holding most live bytes. */
	bool sites_known;
	struct python_site_report *sites;
	size_t site_count;
	uint64_t sites_dropped;      /* instances not counted per site (its map was full) */
	struct pymalloc_usage pymalloc; /* its pools and blocks (known: read) */
};

#endif
