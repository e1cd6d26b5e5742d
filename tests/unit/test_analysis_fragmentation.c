/* The fragmentation detector over synthetic series: a growing gap over flat live bytes is
 * fragmentation; a gap growing with the live bytes is a leak's, not fragmentation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "analysis/fragmentation.h"

#define N 20
#define MIB (1024.0 * 1024)

static double scratch[8192];

static double wobble(int i)
{
	return (i * 7919 % 13 - 6) * 1024.0;   /* +-6 KiB, deterministic */
}

/* Held grows 2 MiB a snapshot, live stays at 10 MiB: 38 MiB of gap grown. */
static void test_gap_grows_live_flat(void **state)
{
	struct frag_point p[N];
	struct frag_verdict v;

	(void)state;
	assert_true(fragmentation__scratch_len(N) <= sizeof(scratch) / sizeof(scratch[0]));
	for (int i = 0; i < N; i++)
		p[i] = (struct frag_point){ 0.5 * i, 10 * MIB + wobble(i), 12 * MIB + 2 * MIB * i };
	fragmentation__judge(p, N, scratch, &v);
	assert_true(v.fragmenting);
	assert_true(fabs(v.gap_growth - 38 * MIB) < 0.5 * MIB);
	assert_true(fabs(v.gap_growth_per_s - 4 * MIB) < 0.1 * MIB);
	assert_true(fabs(v.live_growth) < 0.5 * MIB);
	assert_true(v.gap_z >= 3);
}

/* A leak: live grows 2 MiB a snapshot and the allocator holds it plus 3% overhead. The gap
 * grows too (by the overhead), but with the live bytes: not fragmentation. */
static void test_gap_and_live_grow_together(void **state)
{
	struct frag_point p[N];
	struct frag_verdict v;

	(void)state;
	for (int i = 0; i < N; i++) {
		double live = 10 * MIB + 2 * MIB * i;

		p[i] = (struct frag_point){ 0.5 * i, live, live * 1.03 + 2 * MIB };
	}
	fragmentation__judge(p, N, scratch, &v);
	assert_false(v.fragmenting);
	assert_true(v.gap_growth > 1 * MIB);      /* the gap did grow... */
	assert_true(v.live_growth > 30 * MIB);    /* ...with the live bytes */
}

/* A fragmenting heap that also leaks a little (live grows 10% as fast as the gap) is still
 * fragmenting; at 50% it is not told as such. */
static void test_live_share(void **state)
{
	struct frag_point p[N];
	struct frag_verdict v;

	(void)state;
	for (int i = 0; i < N; i++)
		p[i] = (struct frag_point){ i, 10 * MIB + 0.2 * MIB * i, 12 * MIB + 2.2 * MIB * i };
	fragmentation__judge(p, N, scratch, &v);
	assert_true(v.fragmenting);
	for (int i = 0; i < N; i++)
		p[i] = (struct frag_point){ i, 10 * MIB + 1 * MIB * i, 12 * MIB + 3 * MIB * i };
	fragmentation__judge(p, N, scratch, &v);
	assert_false(v.fragmenting);
}

/* Too small, too few, or not steady: no finding. */
static void test_no_finding(void **state)
{
	struct frag_point p[N];
	struct frag_verdict v;

	(void)state;
	for (int i = 0; i < N; i++)   /* 19 x 32 KiB: under 1 MiB */
		p[i] = (struct frag_point){ i, 10 * MIB, 12 * MIB + 32 * 1024.0 * i };
	fragmentation__judge(p, N, scratch, &v);
	assert_false(v.fragmenting);
	for (int i = 0; i < N; i++)   /* up and down by 8 MiB: no steady rise */
		p[i] = (struct frag_point){ i, 10 * MIB, 12 * MIB + (i % 2) * 8 * MIB };
	fragmentation__judge(p, N, scratch, &v);
	assert_false(v.fragmenting);
	for (int i = 0; i < N; i++)
		p[i] = (struct frag_point){ i, 10 * MIB, 12 * MIB + 4 * MIB * i };
	fragmentation__judge(p, FRAG_MIN_POINTS - 1, scratch, &v);
	assert_false(v.fragmenting);
	assert_true(fabs(v.gap - (2 * MIB + 4 * MIB * (FRAG_MIN_POINTS - 2))) < 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_grows_live_flat),
		cmocka_unit_test(test_gap_and_live_grow_together),
		cmocka_unit_test(test_live_share),
		cmocka_unit_test(test_no_finding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
