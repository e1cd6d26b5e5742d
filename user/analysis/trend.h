/* Robust trend statistics over time series: Mann-Kendall and Theil-Sen. */
#ifndef MEMTRACE_ANALYSIS_TREND_H
#define MEMTRACE_ANALYSIS_TREND_H

#include <stddef.h>

/* One snapshot of a series; t in seconds, strictly increasing along a series. */
struct trend_point {
	double t;
	double value;
};

/* S is the sum of sign(x[j] - x[i]) over all pairs i < j. */
struct mann_kendall {
	double z;	/* S normalised with the tie-corrected variance */
	double tau;	/* Kendall's tau-a: S / number of pairs */
};

/* Work space the functions below need for n points. */
size_t trend__scratch_len(size_t n);

/* Monotonic trend test; n >= 2. */
void trend__mann_kendall(const struct trend_point *p, size_t n, double *scratch,
			 struct mann_kendall *mk);

/* Theil-Sen slope (value per second): the median of all pairwise slopes; n >= 2. */
double trend__theil_sen_slope(const struct trend_point *p, size_t n, double *scratch);

/* Value of the Theil-Sen line of this slope at time t; n >= 1. */
double trend__theil_sen_level(const struct trend_point *p, size_t n, double slope, double t,
			      double *scratch);

#endif /* MEMTRACE_ANALYSIS_TREND_H */
