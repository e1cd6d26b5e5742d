#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/robust_stats.h"
#include "analysis/spikes.h"

struct spike_detector {
	struct spike_opts opts;
	double *ring;		/* the last opts.window samples, in no particular order */
	double *scratch;	/* median and MAD reorder their input */
	size_t count;
	size_t next;		/* ring slot the next sample goes to */
};

static const struct spike_opts default_opts = {
	.window = 30,
	.min_samples = 5,
	.k = 6,
	.mad_floor_rel = 0.05,
	.mad_floor_abs = 1,
};

static struct spike_opts resolve_opts(const struct spike_opts *opts)
{
	struct spike_opts o = opts ? *opts : default_opts;

	if (!o.window)
		o.window = default_opts.window;
	if (!o.min_samples)
		o.min_samples = default_opts.min_samples;
	if (!o.k)
		o.k = default_opts.k;
	if (!o.mad_floor_rel)
		o.mad_floor_rel = default_opts.mad_floor_rel;
	if (!o.mad_floor_abs)
		o.mad_floor_abs = default_opts.mad_floor_abs;
	return o;
}

struct spike_detector *spike_detector__new(const struct spike_opts *opts)
{
	struct spike_opts o = resolve_opts(opts);
	struct spike_detector *d;

	if (o.k < 0 || o.mad_floor_rel < 0 || o.mad_floor_abs < 0 || o.min_samples > o.window) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->opts = o;
	d->ring = calloc(o.window, sizeof(*d->ring));
	d->scratch = calloc(o.window, sizeof(*d->scratch));
	if (!d->ring || !d->scratch) {
		spike_detector__free(d);
		errno = ENOMEM;
		return NULL;
	}
	return d;
}

static void remember(struct spike_detector *d, double value)
{
	d->ring[d->next] = value;
	d->next = (d->next + 1) % d->opts.window;
	if (d->count < d->opts.window)
		d->count++;
}

bool spike_detector__push(struct spike_detector *d, uint64_t seq, double value,
			  struct spike *out)
{
	const struct spike_opts *o = &d->opts;
	double median = 0, mad = 0;
	bool over_norm = false, over_limit;

	if (!isfinite(value))
		return false;
	if (d->count) {
		memcpy(d->scratch, d->ring, d->count * sizeof(*d->scratch));
		median = stats__median(d->scratch, d->count);
	}
	if (d->count >= o->min_samples) {
		/* a flat norm has MAD 0: the floor keeps tiny wiggles from counting */
		mad = stats__mad(d->scratch, d->count, median);
		mad = fmax(mad, fmax(o->mad_floor_rel * fabs(median), o->mad_floor_abs));
		over_norm = value - median > o->k * mad;
	}
	over_limit = o->spike_bytes && value >= (double)o->spike_bytes;
	remember(d, value);

	if (!over_norm && !over_limit)
		return false;
	if (out) {
		*out = (struct spike){
			.seq = seq,
			.value = value,
			.baseline = median,
			.ratio = median > 0 ? value / median : 0,
			.mads = mad > 0 ? (value - median) / mad : 0,
			.over_norm = over_norm,
			.over_limit = over_limit,
		};
	}
	return true;
}

void spike_detector__free(struct spike_detector *d)
{
	if (!d)
		return;
	free(d->ring);
	free(d->scratch);
	free(d);
}
