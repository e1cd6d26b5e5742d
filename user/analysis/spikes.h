/*
 * Spike detection: a sample (a frame's allocated bytes, an interval's live
 * bytes growth) far above the rolling median of the samples before it.
 */
#ifndef MEMTRACE_ANALYSIS_SPIKES_H
#define MEMTRACE_ANALYSIS_SPIKES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zero fields take the defaults in brackets. */
struct spike_opts {
	size_t window;		/* samples in the rolling norm [30] */
	size_t min_samples;	/* samples before the norm applies [5] */
	double k;		/* MADs above the median that make a spike [6] */
	double mad_floor_rel;	/* MAD floor, fraction of |median| [0.05] */
	double mad_floor_abs;	/* MAD floor, sample unit [1] */
	uint64_t spike_bytes;	/* a sample >= this is a spike regardless; 0: off */
};

struct spike {
	uint64_t seq;		/* the frame or interval the caller pushed */
	double value;
	double baseline;	/* rolling median before this sample; 0 with none */
	double ratio;		/* value / baseline; 0 when baseline <= 0 */
	double mads;		/* (value - baseline) / MAD; 0 before min_samples */
	bool over_norm;		/* flagged by the median/MAD rule */
	bool over_limit;	/* flagged by spike_bytes */
};

struct spike_detector;

/* opts may be NULL. Returns NULL with errno set on failure. */
struct spike_detector *spike_detector__new(const struct spike_opts *opts);

/*
 * Feed the next sample; true (and *out filled, if out is not NULL) when it
 * is a spike. Every finite sample joins the norm, spikes included: the
 * median and MAD barely move, so one spike does not hide the next.
 */
bool spike_detector__push(struct spike_detector *d, uint64_t seq, double value,
			  struct spike *out);

void spike_detector__free(struct spike_detector *d);

#endif /* MEMTRACE_ANALYSIS_SPIKES_H */
