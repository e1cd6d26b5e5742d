/* --baseline FILE: the drift metrics of an earlier run, read from its NDJSON summary. */
#ifndef MEMTRACE_BASELINE_H
#define MEMTRACE_BASELINE_H

#include <stddef.h>

#include "analysis/drift.h"

/* Names: rss_bytes, pss_bytes, live_bytes, live_allocs, gc_per_s, type:NAME (live count). */
struct metric_set {
	struct metric *items;
	size_t count, capacity;
};

int metric_set__add(struct metric_set *set, const char *name, double value);
void metric_set__free(struct metric_set *set);

/* Reads the last "summary" line of FILE (the first pid's when several). Returns 0,
 * -ENOENT (no such file or no summary line), -EINVAL (not JSON) or -ENOMEM. */
int baseline__load(const char *path, struct metric_set *out);
/* The same from one summary line already in memory. */
int baseline__parse_line(const char *line, struct metric_set *out);

#endif
