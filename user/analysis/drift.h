/* Drift: which named metrics changed significantly between a baseline and now. */
#ifndef MEMTRACE_ANALYSIS_DRIFT_H
#define MEMTRACE_ANALYSIS_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

struct metric {
	const char *name;	/* unique within one set, e.g. "rss_bytes", "type:dict" */
	double value;
};

/* Smallest absolute change that counts for metrics whose name matches a glob. */
struct drift_floor {
	const char *pattern;	/* fnmatch(3) pattern, e.g. "*_bytes" */
	double min_change;
};

/* *_bytes: 1 MiB, type:*: 100 objects, *_per_s: 1; names matching none: 0 */
extern const struct drift_floor drift_default_floors[];
extern const size_t drift_default_floors_cnt;

struct drift_opts {
	double rel_threshold;		/* |change| / |baseline| that counts; 0: 0.20 */
	const struct drift_floor *floors;	/* first match wins; NULL: the defaults */
	size_t floors_cnt;
	bool missing_is_zero;		/* a name in one set only counts as 0 in the other */
};

struct drift {
	const char *name;
	double baseline;
	double current;
	double change;		/* current - baseline */
	double rel;		/* change / |baseline|; +-INFINITY from a 0 baseline */
};

/*
 * Compare two metric sets; opts may be NULL. Writes at most max_out drifts,
 * sorted by name, and returns how many there are in total (like snprintf),
 * or -EINVAL / -ENOMEM.
 */
int drift__compare(const struct metric *baseline, size_t baseline_cnt,
		   const struct metric *current, size_t current_cnt,
		   const struct drift_opts *opts, struct drift *out, size_t max_out);

#endif /* MEMTRACE_ANALYSIS_DRIFT_H */
