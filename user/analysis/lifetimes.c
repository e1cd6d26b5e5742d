// SPDX-License-Identifier: GPL-2.0
/* Reading the lifetime histograms bpf/alloc.bpf.c keeps per stack (and bpf/python.bpf.c per
 * type): bucket 0 is under 1 us, bucket b covers [2^(b-1), 2^b) us. */
#include "analysis/lifetimes.h"

#include <math.h>

void lifetime_bucket_bounds(int bucket, uint64_t *lo_ns, uint64_t *hi_ns)
{
	*lo_ns = bucket ? 1000ull << (bucket - 1) : 0;
	*hi_ns = bucket < LIFETIME_BUCKETS - 1 ? 1000ull << bucket : UINT64_MAX;
}

int lifetime_bucket_of(uint64_t lifetime_ns)
{
	uint64_t us = lifetime_ns / 1000;
	int bucket = 0;

	while (us) {
		us >>= 1;
		bucket++;
	}
	return bucket < LIFETIME_BUCKETS ? bucket : LIFETIME_BUCKETS - 1;
}

uint64_t lifetime_stats__count(const struct lifetime_stats *s)
{
	uint64_t n = 0;

	for (int b = 0; b < LIFETIME_BUCKETS; b++)
		n += s->hist[b];
	return n;
}

void lifetime_stats__add(struct lifetime_stats *to, const struct lifetime_stats *from)
{
	for (int b = 0; b < LIFETIME_BUCKETS; b++)
		to->hist[b] += from->hist[b];
	to->temporary += from->temporary;
	to->total_ns += from->total_ns;
}

double lifetime_stats__quantile_ns(const struct lifetime_stats *s, double q)
{
	uint64_t n = lifetime_stats__count(s), lo, hi;
	double rank, seen = 0;

	if (!n)
		return 0;
	rank = q <= 0 ? 0 : q >= 1 ? (double)n : q * (double)n;
	for (int b = 0; b < LIFETIME_BUCKETS; b++) {
		double share;

		if (!s->hist[b] || seen + (double)s->hist[b] < rank) {
			seen += (double)s->hist[b];
			continue;
		}
		lifetime_bucket_bounds(b, &lo, &hi);
		share = ((rank - seen) / (double)s->hist[b]);
		if (!b)
			return share * (double)hi;          /* under 1 us: linear from 0 */
		if (hi == UINT64_MAX)
			return (double)lo;                  /* open-ended: its floor */
		return (double)lo * pow((double)hi / (double)lo, share);
	}
	return 0;
}

double lifetime_survival_share(uint64_t allocs, uint64_t live)
{
	return allocs ? (double)live / (double)allocs : 0;
}
