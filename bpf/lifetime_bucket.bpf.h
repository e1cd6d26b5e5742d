/* The lifetime histograms' buckets, for bpf/alloc.bpf.c (per stack) and bpf/python.bpf.c (per
 * type): bucket 0 under 1 us, bucket b in [2^(b-1), 2^b) us, the last open-ended
 * (include/alloc.h LIFETIME_BUCKETS; user/analysis/lifetimes.c reads them). */
#ifndef MEMTRACE_LIFETIME_BUCKET_BPF_H
#define MEMTRACE_LIFETIME_BUCKET_BPF_H

static __always_inline __u32 lifetime_bucket(__u64 lifetime_ns, __u32 buckets)
{
	__u64 us = lifetime_ns / 1000;
	__u32 bucket = 0;

	if (!us)
		return 0;
#pragma unroll
	for (int shift = 16; shift > 0; shift >>= 1) {
		if (us >> shift) {
			us >>= shift;
			bucket += shift;
		}
	}
	bucket++;                    /* us in [2^(bucket-1), 2^bucket) */
	return bucket < buckets ? bucket : buckets - 1;
}

#endif
