/* Fragmentation told apart from a leak: the allocator holds more and more memory that the
 * program does not use (held - live grows) while the live requested bytes do not. */
#ifndef MEMTRACE_ANALYSIS_FRAGMENTATION_H
#define MEMTRACE_ANALYSIS_FRAGMENTATION_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/trend.h"

#define FRAG_MIN_POINTS 8
#define FRAG_MAX_POINTS 120
/* The gap must grow by this much over the series (bytes) ... */
#define FRAG_MIN_GAP_GROWTH (1024.0 * 1024)
/* ... and live bytes by at most this share of the gap's growth. */
#define FRAG_MAX_LIVE_SHARE 0.2

struct frag_point {
	double t;                    /* seconds */
	double live;                 /* requested bytes still allocated */
	double held;                 /* what the allocator holds for them */
};

struct frag_verdict {
	bool fragmenting;
	double gap;                  /* held - live at the last point */
	double gap_growth, live_growth;           /* over the series, on the Theil-Sen lines */
	double gap_growth_per_s, live_growth_per_s;
	double gap_z;                /* Mann-Kendall z of the gap */
};

/* Work space fragmentation__judge needs for n points (doubles). */
size_t fragmentation__scratch_len(size_t n);

/* Judges p[0..n) (t strictly increasing): fragmenting when the gap rises steadily (z >= 3)
 * by FRAG_MIN_GAP_GROWTH or more while live bytes grow by at most FRAG_MAX_LIVE_SHARE of
 * that (a leak grows both: its blocks are live). */
void fragmentation__judge(const struct frag_point *p, size_t n, double *scratch,
			  struct frag_verdict *out);

#endif
