/* Lifetime histograms (struct lifetime_stats): bucket bounds, counts, quantiles. Plain C,
 * unit-tested with synthetic histograms. */
#ifndef MEMTRACE_LIFETIMES_H
#define MEMTRACE_LIFETIMES_H

#include <stdint.h>

#include "model/lifetime_report.h"

/* Bucket b holds lifetimes in [lo, hi) ns; the last bucket's hi is UINT64_MAX. */
void lifetime_bucket_bounds(int bucket, uint64_t *lo_ns, uint64_t *hi_ns);
/* The bucket that a lifetime falls in (as bpf/alloc.bpf.c counts it). */
int lifetime_bucket_of(uint64_t lifetime_ns);
/* The frees measured: the histogram's sum. */
uint64_t lifetime_stats__count(const struct lifetime_stats *s);
void lifetime_stats__add(struct lifetime_stats *to, const struct lifetime_stats *from);
/* The lifetime below which a share q (0..1) of the measured frees fall, interpolated
 * inside its bucket on a log scale; 0 when nothing was measured. */
double lifetime_stats__quantile_ns(const struct lifetime_stats *s, double q);
/* The share of allocs still live (allocs - frees of them), 0 without allocations. */
double lifetime_survival_share(uint64_t allocs, uint64_t live);

#endif
