#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/lifetimes.h"
#include "analysis/pools.h"

#define MS 1000000ull
#define US 1000ull

/* The user-side bucket agrees with the bounds it reports (and so with bpf/alloc.bpf.c's
 * lifetime_bucket, which the same bounds document). */
static void test_buckets_and_bounds_agree(void **state)
{
	uint64_t lo, hi;

	(void)state;
	for (int b = 0; b < LIFETIME_BUCKETS; b++) {
		lifetime_bucket_bounds(b, &lo, &hi);
		assert_int_equal(lifetime_bucket_of(lo), b);
		if (hi != UINT64_MAX)
			assert_int_equal(lifetime_bucket_of(hi - 1), b);
		if (b + 1 < LIFETIME_BUCKETS) {
			uint64_t next_lo, next_hi;

			lifetime_bucket_bounds(b + 1, &next_lo, &next_hi);
			assert_true(next_lo == hi);   /* no gap, no overlap */
		}
	}
	assert_int_equal(lifetime_bucket_of(0), 0);
	assert_int_equal(lifetime_bucket_of(999), 0);
	assert_int_equal(lifetime_bucket_of(1000), 1);
	assert_int_equal(lifetime_bucket_of(50 * MS), 16);     /* [32.768, 65.536) ms */
	assert_int_equal(lifetime_bucket_of(UINT64_MAX), LIFETIME_BUCKETS - 1);
	lifetime_bucket_bounds(LIFETIME_BUCKETS - 1, &lo, &hi);
	assert_true(hi == UINT64_MAX);
	assert_true(lo == 1000ull << 30);
}

/* The target of tests/e2e/test_lifetimes.sh, as the kernel would count it: 1000 blocks freed
 * at once, 100 after 50 ms, 10 never (of 1110 allocations). */
static struct lifetime_stats target_histogram(void)
{
	struct lifetime_stats s = { 0 };

	s.hist[lifetime_bucket_of(300)] += 1000;
	s.hist[lifetime_bucket_of(50 * MS)] += 100;
	s.temporary = 1000;
	s.total_ns = 1000 * 300 + 100 * 50 * MS;
	return s;
}

static void test_counts_and_quantiles(void **state)
{
	struct lifetime_stats s = target_histogram(), sum = { 0 };
	double median, p95;

	(void)state;
	assert_true(lifetime_stats__count(&s) == 1100);
	median = lifetime_stats__quantile_ns(&s, 0.5);
	assert_true(median >= 0 && median < 1000);               /* in the first bucket */
	p95 = lifetime_stats__quantile_ns(&s, 0.95);             /* among the 50 ms blocks */
	assert_true(p95 >= 32.768e6 && p95 < 65.536e6);
	assert_true(lifetime_stats__quantile_ns(&s, 1) <= 65.536e6);
	assert_true(fabs(lifetime_survival_share(1110, 10) - 10.0 / 1110) < 1e-12);
	assert_true(lifetime_survival_share(0, 0) == 0);
	lifetime_stats__add(&sum, &s);
	lifetime_stats__add(&sum, &s);
	assert_true(lifetime_stats__count(&sum) == 2200);
	assert_true(sum.temporary == 2000);
	assert_true(sum.total_ns == 2 * s.total_ns);
}

static void test_quantile_edges(void **state)
{
	struct lifetime_stats empty = { 0 }, open = { 0 }, one = { 0 };

	(void)state;
	assert_true(lifetime_stats__quantile_ns(&empty, 0.5) == 0);
	open.hist[LIFETIME_BUCKETS - 1] = 4;       /* open-ended: its floor */
	assert_true(lifetime_stats__quantile_ns(&open, 0.5) == (double)(1000ull << 30));
	one.hist[lifetime_bucket_of(3 * US)] = 1;  /* [2, 4) us: inside it */
	assert_true(lifetime_stats__quantile_ns(&one, 0.5) >= 2000);
	assert_true(lifetime_stats__quantile_ns(&one, 0.5) <= 4000);
}

/* The pool pattern of tests/targets/lifetimes.c: 2 x 2000 batches of 8 malloc(256), each
 * batch freed before the next, watched for 2 s. */
static const struct pool_usage pool_pattern = {
	.stack_id = 7, .allocs = 32000, .frees = 32000, .bytes_allocated = 32000 * 256,
	.peak_live = 8, .size_min = 256, .size_max = 256,
};

static void test_pool_pattern_is_found(void **state)
{
	struct pool_hint out[4];
	size_t n;

	(void)state;
	n = pool_hints__find(&pool_pattern, 1, 2.0, 0, out, 4);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].stack_id, 7);
	assert_false(out[0].python_type);
	assert_true(out[0].size == 256);
	assert_true(out[0].peak_live == 8);
	assert_true(out[0].allocs_per_s == 16000);
	assert_true(out[0].allocs_per_frame < 0);
	assert_true(out[0].calls_saved_per_s == (64000 - 8) / 2.0);
	assert_true(out[0].bytes_churned_per_s == 32000 * 256 / 2.0);
	n = pool_hints__find(&pool_pattern, 1, 2.0, 100, out, 4);   /* --frame: 100 frames */
	assert_int_equal(n, 1);
	assert_true(out[0].allocs_per_frame == 320);
}

static void test_what_is_not_a_pool(void **state)
{
	struct pool_usage u[] = {
		pool_pattern, pool_pattern, pool_pattern, pool_pattern, pool_pattern, pool_pattern,
	};
	struct pool_hint out[8];

	(void)state;
	u[0].size_min = 64, u[0].size_max = 512;              /* many size classes */
	u[1].frees = 16000;                                    /* half of them kept */
	u[2].peak_live = 4000;                                 /* reused 8 times a slot */
	u[3].allocs = u[3].frees = 999;                        /* too few */
	u[4].peak_live = 0;                                    /* nothing was ever live */
	u[5].size_min = 256, u[5].size_max = 257;              /* two 16-byte classes */
	assert_int_equal(pool_hints__find(u, 6, 2.0, 0, out, 8), 0);
	/* Too slow: 32000 allocations over 400 s are 80/s. */
	assert_int_equal(pool_hints__find(&pool_pattern, 1, 400, 0, out, 8), 0);
	assert_int_equal(pool_hints__find(&pool_pattern, 1, 0, 0, out, 8), 0);
	/* One class: 241 to 256 bytes round to the same 16-byte chunk. */
	u[0].size_min = 241, u[0].size_max = 256;
	assert_int_equal(pool_hints__find(u, 1, 2.0, 0, out, 8), 1);
	assert_true(out[0].size == 256);
}

static void test_most_calls_saved_first_and_capped(void **state)
{
	struct pool_usage u[3] = { pool_pattern, pool_pattern, pool_pattern };
	struct pool_hint out[2];

	(void)state;
	u[0].stack_id = 1, u[0].allocs = u[0].frees = 2000;
	u[1].stack_id = 2, u[1].allocs = u[1].frees = 90000;
	u[2].stack_id = 3;
	u[2].python_type = true, u[2].name = "Particle";
	assert_int_equal(pool_hints__find(u, 3, 1.0, 0, out, 2), 2);
	assert_int_equal(out[0].stack_id, 2);
	assert_true(out[1].python_type);
	assert_string_equal(out[1].name, "Particle");
	assert_int_equal(out[1].stack_id, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_and_bounds_agree),
		cmocka_unit_test(test_counts_and_quantiles),
		cmocka_unit_test(test_quantile_edges),
		cmocka_unit_test(test_pool_pattern_is_found),
		cmocka_unit_test(test_what_is_not_a_pool),
		cmocka_unit_test(test_most_calls_saved_first_and_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
