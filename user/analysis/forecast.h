/* Forecast: when a growing value reaches its limit (a --budget, the cgroup's memory limit)
 * at the current trend, with a confidence band. */
#ifndef MEMTRACE_ANALYSIS_FORECAST_H
#define MEMTRACE_ANALYSIS_FORECAST_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/trend.h"

/* The current trend is the last FORECAST_MAX_POINTS snapshots; fewer than
 * FORECAST_MIN_POINTS tell no trend. */
#define FORECAST_MIN_POINTS 6
#define FORECAST_MAX_POINTS 60

struct forecast {
	bool known;                  /* rising at a significant trend, still under the limit */
	double level;                /* the trend line's value at the last snapshot */
	double slope;                /* Theil-Sen, per second */
	double slope_low, slope_high; /* its 95% confidence interval (Sen's) */
	double eta_s;                /* from the last snapshot until the limit, at slope */
	/* The 95% band: at slope_high from a level higher by 1.96 times the snapshots' robust
	 * scatter about the line, and at slope_low from one as much lower (INFINITY when
	 * slope_low <= 0). */
	double eta_low_s, eta_high_s;
};

/* The forecast for the series p[0..n) (t strictly increasing) and limit; scratch holds
 * trend__scratch_len(n) doubles. out->known is false
 * when there are too few points, no rising trend (Mann-Kendall z < 2), or the level is at or
 * over the limit already (a budget event says so). */
void forecast__eta(const struct trend_point *p, size_t n, double limit, double *scratch,
		   struct forecast *out);

/* One limit of one process watched over time: the series and whether its forecast is under
 * the horizon (an event is due when it goes under, again after it went back over). */
struct forecast_watch {
	char name[96];               /* "cgroup", or the budget's name ("process": a bare SIZE) */
	bool counts_objects;         /* a Python type's budget */
	double limit;
	struct trend_point points[FORECAST_MAX_POINTS];
	size_t count;
	bool under_horizon;
	struct forecast last;
};

void forecast_watch__init(struct forecast_watch *w, const char *name, bool counts_objects);
/* Adds the value at t (seconds) under limit, forecasts; true when the ETA just went under
 * horizon_s (an event to emit; re-armed once it is back over 1.5 horizon_s). A new limit
 * (a cgroup's memory.max changed) restarts it. */
bool forecast_watch__feed(struct forecast_watch *w, double t, double value, double limit,
			  double horizon_s, double *scratch);

#endif
