#include "analysis/survival.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "analysis/leaks.h"

static const struct survival_opts default_opts = {
	.min_survivors = 16,
	.min_share = 0.5,
	.min_steps = 2,
	.min_rising = 0.5,
	.max_falling = 0.25,
};

static struct survival_opts resolve_opts(const struct survival_opts *opts)
{
	struct survival_opts o = opts ? *opts : default_opts;

	if (!o.min_survivors)
		o.min_survivors = default_opts.min_survivors;
	if (!o.min_share)
		o.min_share = default_opts.min_share;
	if (!o.min_steps)
		o.min_steps = default_opts.min_steps;
	if (!o.min_rising)
		o.min_rising = default_opts.min_rising;
	if (!o.max_falling)
		o.max_falling = default_opts.max_falling;
	return o;
}

static enum survival_verdict judge(const struct survival_counts *c, double span_s,
				   const struct survival_opts *o, struct survival_result *res)
{
	if (!(span_s > 0))
		return SURVIVAL_NO_SPAN;
	if (c->survived < o->min_survivors)
		return SURVIVAL_FEW;
	if (c->made >= 0) {
		res->share = c->made > 0 ? fmin(c->survived / c->made, 1) : 1;
		if (res->share < o->min_share)
			return SURVIVAL_FREED;
	}
	if (c->steps < o->min_steps ||
	    (double)c->rising_steps < o->min_rising * (double)c->steps ||
	    (double)c->falling_steps > o->max_falling * (double)c->steps)
		return SURVIVAL_NOT_STEADY;
	return SURVIVAL_LEAK;
}

int survival__judge(const struct survival_counts *c, double span_s,
		    const struct survival_opts *opts, struct survival_result *res)
{
	struct survival_opts o = resolve_opts(opts);

	if (!c || !res || !isfinite(c->survived) || !isfinite(c->survived_bytes) ||
	    !isfinite(c->made))
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	res->share = -1;
	res->verdict = judge(c, span_s, &o, res);
	res->is_leak = res->verdict == SURVIVAL_LEAK;
	if (!res->is_leak)
		return 0;
	if (c->objects) {
		res->per_s = c->survived / span_s;
		res->severity = leak_severity_of_objects(res->per_s, c->survived_bytes / c->survived);
	} else {
		res->per_s = c->survived_bytes / span_s;
		res->severity = leak_severity_classify(&leak_thresholds_bytes, res->per_s);
	}
	return 0;
}
