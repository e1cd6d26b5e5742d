/*
 * Leak detection: does a series of snapshots (a type's live count, a stack's
 * live bytes) grow steadily? A trend test, not a first-vs-last comparison.
 */
#ifndef MEMTRACE_ANALYSIS_LEAKS_H
#define MEMTRACE_ANALYSIS_LEAKS_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/trend.h"
#include "model/severity.h"

/* Why a series is or is not a leak, in the order the checks run. */
enum leak_verdict {
	LEAK_VERDICT_LEAK,
	LEAK_VERDICT_TOO_FEW_SAMPLES,
	LEAK_VERDICT_NO_TREND,		/* Mann-Kendall not significant, or slope <= 0 */
	LEAK_VERDICT_GROWTH_STOPPED,	/* the recent half grows much slower */
	LEAK_VERDICT_GROWTH_TOO_SMALL,
	LEAK_VERDICT_NOT_STEADY,	/* falls back too far, like a sawtooth */
};

/* Where each severity starts: growth per hour, in the series' unit (bytes or objects). */
struct leak_thresholds {
	double medium_per_hour;
	double high_per_hour;
	double critical_per_hour;
};

extern const struct leak_thresholds leak_thresholds_bytes;
extern const struct leak_thresholds leak_thresholds_objects;

/* Zero fields take the defaults in brackets; "growth" is the trend's over the window. */
struct leak_opts {
	size_t max_samples;	/* analyse the last N samples [600] */
	size_t min_samples;	/* fewer is never a leak [12] */
	double min_z;		/* Mann-Kendall z over the window [3.0] */
	double recent_share;	/* later half's slope vs the window's [0.5] */
	double min_growth_frac;	/* growth vs the level at the start [0.05] */
	double min_growth;	/* growth in series units [0] */
	double max_fall;	/* largest fall back vs growth [0.5] */
	const struct leak_thresholds *thresholds;	/* [&leak_thresholds_bytes] */
	double unit_bytes;	/* bytes per unit (a type's object size): the growth in bytes
				 * ranks too, by leak_thresholds_bytes [0: not known] */
};

struct leak_result {
	bool is_leak;
	enum leak_verdict verdict;
	enum leak_severity severity;	/* LEAK_SEVERITY_NONE unless is_leak */
	double growth_per_s;		/* Theil-Sen slope, series unit per second */
	double tau;			/* Kendall's tau over the window */
	double z;			/* Mann-Kendall z over the window */
	double first;			/* first and last value of the analysed window */
	double last;
	size_t samples;			/* samples analysed */
};

/*
 * Analyse the last opts->max_samples points (t strictly increasing, values
 * finite). opts may be NULL. Returns 0, -EINVAL on bad input, -ENOMEM.
 */
int leak__analyze(const struct trend_point *points, size_t n, const struct leak_opts *opts,
		  struct leak_result *res);

/* Severity of a leak growing growth_per_s (the series' unit per second): its rate, whatever
 * the level or the process's uptime (see docs/analysis.md). */
enum leak_severity leak_severity_classify(const struct leak_thresholds *th, double growth_per_s);
/* Objects leaking objects_per_s of bytes_per_object each (0: unknown): the higher of the
 * objects' and the bytes' severity. */
enum leak_severity leak_severity_of_objects(double objects_per_s, double bytes_per_object);

const char *leak_verdict_name(enum leak_verdict verdict);

#endif /* MEMTRACE_ANALYSIS_LEAKS_H */
