/* Order statistics for the detectors: median, quantiles, MAD. */
#ifndef MEMTRACE_ANALYSIS_ROBUST_STATS_H
#define MEMTRACE_ANALYSIS_ROBUST_STATS_H

#include <stddef.h>

/*
 * All of these reorder v in place (quickselect, O(n) on average) and need
 * n > 0 and finite values.
 */

/* Quantile q in [0, 1], interpolated linearly between order statistics. */
double stats__quantile(double *v, size_t n, double q);

double stats__median(double *v, size_t n);

/* Median absolute deviation from center; v ends up holding |v[i] - center|. */
double stats__mad(double *v, size_t n, double center);

#endif /* MEMTRACE_ANALYSIS_ROBUST_STATS_H */
