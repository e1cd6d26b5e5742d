/*
 * Survival: a leak judged at a process's exit by what it made after warm-up and still held
 * then, for runs too short for a trend (a test, a CI job). See docs/analysis.md.
 */
#ifndef MEMTRACE_ANALYSIS_SURVIVAL_H
#define MEMTRACE_ANALYSIS_SURVIVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "model/severity.h"

/* One native stack's or one Python type's figures between warm-up and exit. */
struct survival_counts {
	bool objects;           /* a Python type (counts objects), else a stack (allocations) */
	double made;            /* allocations / objects made after warm-up; < 0: not known */
	double survived;        /* live at exit minus live at warm-up */
	double survived_bytes;
	/* The reports after warm-up (and the exit), and those at which the live figure rose
	 * or fell: a leak keeps rising; a cache filled once rises at one; churn rises and falls. */
	size_t steps, rising_steps, falling_steps;
};

enum survival_verdict {
	SURVIVAL_LEAK,
	SURVIVAL_NO_SPAN,       /* exit not after warm-up */
	SURVIVAL_FEW,           /* fewer than min_survivors survived */
	SURVIVAL_FREED,         /* most of what was made was freed */
	SURVIVAL_NOT_STEADY,    /* too few reports; rose at too few, or fell at too many */
};

/* Zero fields take the defaults in brackets. */
struct survival_opts {
	double min_survivors;   /* [16] */
	double min_share;       /* survived / made [0.5]: "mostly survive" */
	size_t min_steps;       /* [2] */
	double min_rising;      /* rising_steps / steps [0.5] */
	double max_falling;     /* falling_steps / steps [0.25] */
};

struct survival_result {
	bool is_leak;
	enum survival_verdict verdict;
	enum leak_severity severity;   /* by survived (bytes) per second, as a trend leak's */
	double share;                  /* survived / made; < 0 when made is not known */
	double per_s;                  /* survived per second after warm-up (objects or bytes) */
};

/* span_s: from warm-up to exit. opts may be NULL. Returns 0 or -EINVAL. */
int survival__judge(const struct survival_counts *c, double span_s,
		    const struct survival_opts *opts, struct survival_result *res);

#endif /* MEMTRACE_ANALYSIS_SURVIVAL_H */
