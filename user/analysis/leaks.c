#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/leaks.h"
#include "analysis/robust_stats.h"
#include "analysis/trend.h"

/* the fall-back check compares medians of up to MAX_BLOCKS blocks of the window */
#define MAX_BLOCKS 16
#define MIN_BLOCK_LEN 3

static const struct leak_opts default_opts = {
	.max_samples = 600,
	.min_samples = 12,
	.min_z = 3.0,
	.recent_share = 0.5,
	.min_growth_frac = 0.05,
	.max_fall = 0.5,
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
	if (!o.recent_share)
		o.recent_share = default_opts.recent_share;
	if (!o.min_growth_frac)
		o.min_growth_frac = default_opts.min_growth_frac;
	if (!o.max_fall)
		o.max_fall = default_opts.max_fall;
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
 * A leak only climbs; a sawtooth (a cache filled then cleared) falls back.
 * The largest fall of block medians (noise averaged out) below their running
 * peak tells them apart.
 */
static double largest_fall(const struct trend_point *p, size_t n, double *scratch)
{
	size_t blocks = n / MIN_BLOCK_LEN < MAX_BLOCKS ? n / MIN_BLOCK_LEN : MAX_BLOCKS;
	double peak = -INFINITY, fall = 0;
	size_t b, i;

	for (b = 0; b < blocks; b++) {
		size_t lo = b * n / blocks, hi = (b + 1) * n / blocks;
		double median;

		for (i = lo; i < hi; i++)
			scratch[i - lo] = p[i].value;
		median = stats__median(scratch, hi - lo);
		peak = fmax(peak, median);
		fall = fmax(fall, peak - median);
	}
	return fall;
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

	/* warm-up then plateau: the whole window trends, its recent half much less */
	if (trend__theil_sen_slope(recent, recent_n, scratch) < o->recent_share * res->growth_per_s)
		return LEAK_VERDICT_GROWTH_STOPPED;

	growth = res->growth_per_s * span;
	start_level = trend__theil_sen_level(p, n, res->growth_per_s, p[0].t, scratch);
	if (growth < o->min_growth || growth < o->min_growth_frac * fabs(start_level))
		return LEAK_VERDICT_GROWTH_TOO_SMALL;

	if (largest_fall(p, n, scratch) > o->max_fall * growth)
		return LEAK_VERDICT_NOT_STEADY;

	res->severity = leak_severity_classify(o->thresholds, res->growth_per_s);
	if (o->unit_bytes > 0) {
		enum leak_severity by_bytes = leak_severity_classify(&leak_thresholds_bytes,
								     res->growth_per_s * o->unit_bytes);

		if (by_bytes > res->severity)
			res->severity = by_bytes;
	}
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
	/* the slope of the recent half and the blocks need a few points */
	if (n < o.min_samples || n < 2 * MIN_BLOCK_LEN) {
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
