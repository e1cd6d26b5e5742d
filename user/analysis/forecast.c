// SPDX-License-Identifier: GPL-2.0
/* Theil-Sen line through the recent snapshots, extrapolated to the limit. The band joins two
 * uncertainties: the slope's (Sen's confidence interval: the order statistics of the pairwise
 * slopes that the Mann-Kendall variance allows) and the level's (the snapshots' scatter about
 * the line, as a robust standard deviation: when a figure is read late, or a burst lands
 * between snapshots). */
#include "analysis/forecast.h"

#include "analysis/robust_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A rising trend must be this sure before a time is forecast (two-sided 95%). */
#define FORECAST_MIN_Z 1.96
#define BAND_Z 1.96
#define HORIZON_REARM 1.5

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sen's interval: with N pairwise slopes sorted and C = z * sqrt(Var S), the slopes of rank
 * (N - C) / 2 and (N + C) / 2 + 1 (1-based) bound the true slope. */
static void slope_band(const struct trend_point *p, size_t n, double *scratch, double *low,
		       double *high)
{
	double var = (double)n * (n - 1) * (2.0 * n + 5) / 18, c = BAND_Z * sqrt(var);
	size_t m = 0, lo, hi;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			scratch[m++] = (p[j].value - p[i].value) / (p[j].t - p[i].t);
	qsort(scratch, m, sizeof(double), compare_doubles);
	lo = (double)m > c ? (size_t)floor((m - c) / 2) : 0;
	hi = (size_t)ceil((m + c) / 2);
	if (lo >= m)
		lo = m - 1;
	if (hi >= m)
		hi = m - 1;
	*low = scratch[lo];
	*high = scratch[hi];
}

/* How far the snapshots scatter about the line (1.4826 MAD: a standard deviation if normal). */
static double level_spread(const struct trend_point *p, size_t n, double slope, double level,
			   double *scratch)
{
	for (size_t i = 0; i < n; i++)
		scratch[i] = p[i].value - (level + slope * (p[i].t - p[n - 1].t));
	return 1.4826 * stats__mad(scratch, n, 0);
}

void forecast__eta(const struct trend_point *p, size_t n, double limit, double *scratch,
		   struct forecast *out)
{
	double t_last, remaining, spread;
	struct mann_kendall mk;

	memset(out, 0, sizeof(*out));
	if (n < FORECAST_MIN_POINTS)
		return;
	trend__mann_kendall(p, n, scratch, &mk);
	if (mk.z < FORECAST_MIN_Z)
		return;
	t_last = p[n - 1].t;
	out->slope = trend__theil_sen_slope(p, n, scratch);
	out->level = trend__theil_sen_level(p, n, out->slope, t_last, scratch);
	slope_band(p, n, scratch, &out->slope_low, &out->slope_high);
	spread = BAND_Z * level_spread(p, n, out->slope, out->level, scratch);
	remaining = limit - out->level;
	if (!(out->slope > 0) || !(remaining > 0))
		return;
	out->known = true;
	out->eta_s = remaining / out->slope;
	out->eta_low_s = fmax(0, remaining - spread) / fmax(out->slope_high, out->slope);
	out->eta_high_s = out->slope_low > 0 ? (remaining + spread) / out->slope_low : INFINITY;
}

void forecast_watch__init(struct forecast_watch *w, const char *name, bool counts_objects)
{
	memset(w, 0, sizeof(*w));
	strncpy(w->name, name, sizeof(w->name) - 1);
	w->counts_objects = counts_objects;
}

bool forecast_watch__feed(struct forecast_watch *w, double t, double value, double limit,
			  double horizon_s, double *scratch)
{
	bool was_under = w->under_horizon;

	if (limit != w->limit) {
		w->count = 0;
		w->limit = limit;
		w->under_horizon = was_under = false;
	}
	if (w->count && t <= w->points[w->count - 1].t)
		return false;
	if (w->count == FORECAST_MAX_POINTS) {
		memmove(w->points, w->points + 1, (FORECAST_MAX_POINTS - 1) * sizeof(w->points[0]));
		w->count--;
	}
	w->points[w->count++] = (struct trend_point){ t, value };
	forecast__eta(w->points, w->count, limit, scratch, &w->last);
	/* Re-armed only well over the horizon, so that an ETA wavering around it is one event. */
	if (w->last.known && w->last.eta_s < horizon_s)
		w->under_horizon = true;
	else if (!w->last.known || w->last.eta_s > HORIZON_REARM * horizon_s)
		w->under_horizon = false;
	return w->under_horizon && !was_under;
}
