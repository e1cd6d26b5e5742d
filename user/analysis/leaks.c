#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/leaks.h"
#include "analysis/robust_stats.h"
#include "analysis/trend.h"

/* the window is cut into this many segments to follow its low envelope */
#define FLOOR_SEGMENTS 4
#define FLOOR_QUANTILE 0.25

static const struct leak_opts default_opts = {
	.max_samples = 600,
	.min_samples = 12,
	.min_z = 3.0,
	.min_recent_z = 2.0,
	.recent_share = 0.5,
	.min_growth_frac = 0.05,
	.min_growth = 0,
	.floor_share = 0.25,
	.thresholds = &leak_thresholds_bytes,
};

static struct leak_opts resolve_opts(const struct leak_opts *opts)
{
	struct leak_opts o = opts ? *opts : default_opts;

	if (!o.max_samples)
		o.max_samples = default_opts.max_samples;
	if (!o.min_samples)
		o.min_samples = default_opts.min_samples;
	if (!o.min_z)
		o.min_z = default_opts.min_z;
	if (!o.min_recent_z)
		o.min_recent_z = default_opts.min_recent_z;
	if (!o.recent_share)
		o.recent_share = default_opts.recent_share;
	if (!o.min_growth_frac)
		o.min_growth_frac = default_opts.min_growth_frac;
	if (!o.floor_share)
		o.floor_share = default_opts.floor_share;
	if (!o.thresholds)
		o.thresholds = default_opts.thresholds;
	return o;
}

static bool points_valid(const struct trend_point *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isfinite(p[i].t) || !isfinite(p[i].value))
			return false;
		if (i && p[i].t <= p[i - 1].t)
			return false;
	}
	return true;
}

/*
 * A leak lifts the whole series; a sawtooth (a cache filled and cleared) only
 * its peaks. So the lower quartile of each quarter of the window must not
 * fall back, and must rise from the first quarter to the last, each by a
 * share of what the trend predicts over the same time.
 */
static bool floor_follows_trend(const struct trend_point *p, size_t n, double slope,
				double share, double *scratch)
{
	double first_floor = 0, first_mid = 0, prev_floor = 0, prev_mid = 0;
	size_t seg, i;

	for (seg = 0; seg < FLOOR_SEGMENTS; seg++) {
		size_t lo = seg * n / FLOOR_SEGMENTS, hi = (seg + 1) * n / FLOOR_SEGMENTS;
		double floor, mid = (p[lo].t + p[hi - 1].t) / 2;

		for (i = lo; i < hi; i++)
			scratch[i - lo] = p[i].value;
		floor = stats__quantile(scratch, hi - lo, FLOOR_QUANTILE);
		if (!seg) {
			first_floor = floor;
			first_mid = mid;
		} else if (floor - prev_floor < -share * slope * (mid - prev_mid)) {
			return false;
		}
		prev_floor = floor;
		prev_mid = mid;
	}
	return prev_floor - first_floor >= share * slope * (prev_mid - first_mid);
}

static enum leak_verdict judge(const struct trend_point *p, size_t n, const struct leak_opts *o,
			       double *scratch, struct leak_result *res)
{
	const struct trend_point *recent = p + n / 2;
	size_t recent_n = n - n / 2;
	double span = p[n - 1].t - p[0].t;
	double start_level, growth;
	struct mann_kendall mk;

	trend__mann_kendall(p, n, scratch, &mk);
	res->z = mk.z;
	res->tau = mk.tau;
	res->growth_per_s = trend__theil_sen_slope(p, n, scratch);
	if (mk.z < o->min_z || res->growth_per_s <= 0)
		return LEAK_VERDICT_NO_TREND;

	/* warm-up then plateau: the whole window trends, its recent half does not */
	trend__mann_kendall(recent, recent_n, scratch, &mk);
	if (mk.z < o->min_recent_z ||
	    trend__theil_sen_slope(recent, recent_n, scratch) < o->recent_share * res->growth_per_s)
		return LEAK_VERDICT_GROWTH_STOPPED;

	growth = res->growth_per_s * span;
	start_level = trend__theil_sen_level(p, n, res->growth_per_s, p[0].t, scratch);
	if (growth < o->min_growth || growth < o->min_growth_frac * fabs(start_level))
		return LEAK_VERDICT_GROWTH_TOO_SMALL;

	if (!floor_follows_trend(p, n, res->growth_per_s, o->floor_share, scratch))
		return LEAK_VERDICT_NOT_STEADY;

	res->severity = leak_severity_classify(o->thresholds, res->growth_per_s,
					       start_level + growth);
	return LEAK_VERDICT_LEAK;
}

int leak__analyze(const struct trend_point *points, size_t n, const struct leak_opts *opts,
		  struct leak_result *res)
{
	struct leak_opts o = resolve_opts(opts);
	double *scratch;

	if ((!points && n) || !res)
		return -EINVAL;
	if (n > o.max_samples) {
		points += n - o.max_samples;
		n = o.max_samples;
	}
	if (!points_valid(points, n))
		return -EINVAL;

	memset(res, 0, sizeof(*res));
	res->samples = n;
	if (n) {
		res->first = points[0].value;
		res->last = points[n - 1].value;
	}
	/* the floor check needs a few points in each quarter */
	if (n < o.min_samples || n < 3 * FLOOR_SEGMENTS) {
		res->verdict = LEAK_VERDICT_TOO_FEW_SAMPLES;
		return 0;
	}

	scratch = malloc(trend__scratch_len(n) * sizeof(*scratch));
	if (!scratch)
		return -ENOMEM;
	res->verdict = judge(points, n, &o, scratch, res);
	res->is_leak = res->verdict == LEAK_VERDICT_LEAK;
	free(scratch);
	return 0;
}

const char *leak_verdict_name(enum leak_verdict verdict)
{
	switch (verdict) {
	case LEAK_VERDICT_LEAK:
		return "leak";
	case LEAK_VERDICT_TOO_FEW_SAMPLES:
		return "too few samples";
	case LEAK_VERDICT_NO_TREND:
		return "no upward trend";
	case LEAK_VERDICT_GROWTH_STOPPED:
		return "growth stopped";
	case LEAK_VERDICT_GROWTH_TOO_SMALL:
		return "growth too small";
	case LEAK_VERDICT_NOT_STEADY:
		return "growth not steady";
	}
	return "unknown";
}
