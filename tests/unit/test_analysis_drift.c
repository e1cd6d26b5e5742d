#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analysis/drift.h"

#define MIB (1024.0 * 1024.0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct metric baseline[] = {
	{ "rss_bytes", 100 * MIB },
	{ "live_bytes", 50 * MIB },
	{ "type:dict", 3 },
	{ "type:list", 10000 },
	{ "gc_per_s", 2.0 },
	{ "threads", 4 },
	{ "type:gone", 300 },
	{ "idle", 0 },
};

/* deliberately in another order: matching is by name */
static const struct metric current[] = {
	{ "threads", 8 },		/* +100%, no floor for this name */
	{ "type:new", 500 },		/* not in the baseline */
	{ "gc_per_s", 2.3 },		/* +15%: under 20% */
	{ "type:list", 5000 },		/* -50%, 5000 objects */
	{ "type:dict", 5 },		/* +67% but 2 objects: under the floor */
	{ "live_bytes", 55 * MIB },	/* +10% */
	{ "rss_bytes", 130 * MIB },	/* +30%, 30 MiB */
	{ "idle", 0 },
};

static void test_significant_changes_only(void **state)
{
	struct drift d[8];
	int n;

	(void)state;
	n = drift__compare(baseline, ARRAY_SIZE(baseline), current, ARRAY_SIZE(current), NULL,
			   d, ARRAY_SIZE(d));
	assert_int_equal(n, 3);
	assert_string_equal(d[0].name, "rss_bytes");
	assert_true(d[0].baseline == 100 * MIB && d[0].current == 130 * MIB);
	assert_true(d[0].change == 30 * MIB);
	assert_true(fabs(d[0].rel - 0.30) < 1e-12);
	assert_string_equal(d[1].name, "threads");
	assert_true(d[1].rel == 1.0);
	assert_string_equal(d[2].name, "type:list");
	assert_true(d[2].change == -5000 && d[2].rel == -0.5);
}

static void test_missing_names_as_zero(void **state)
{
	struct drift_opts opts = { .missing_is_zero = true };
	struct drift d[8];
	int n;

	(void)state;
	n = drift__compare(baseline, ARRAY_SIZE(baseline), current, ARRAY_SIZE(current), &opts,
			   d, ARRAY_SIZE(d));
	assert_int_equal(n, 5);
	/* sorted by name: rss_bytes, threads, type:gone, type:list, type:new */
	assert_string_equal(d[2].name, "type:gone");
	assert_true(d[2].current == 0 && d[2].rel == -1.0);
	assert_string_equal(d[4].name, "type:new");
	assert_true(d[4].baseline == 0 && d[4].rel == INFINITY);
}

static void test_custom_threshold_and_floors(void **state)
{
	static const struct drift_floor floors[] = {
		{ "type:*", 1 },
		{ "*", 1e12 },	/* everything else is off */
	};
	struct drift_opts opts = { .rel_threshold = 0.5, .floors = floors,
				   .floors_cnt = ARRAY_SIZE(floors) };
	struct drift d[8];
	int n;

	(void)state;
	n = drift__compare(baseline, ARRAY_SIZE(baseline), current, ARRAY_SIZE(current), &opts,
			   d, ARRAY_SIZE(d));
	/* dict +67% by 2 objects now counts; list -50% sits exactly on the threshold */
	assert_int_equal(n, 2);
	assert_string_equal(d[0].name, "type:dict");
	assert_string_equal(d[1].name, "type:list");
}

static void test_output_truncated_total_returned(void **state)
{
	struct drift d[1];

	(void)state;
	assert_int_equal(drift__compare(baseline, ARRAY_SIZE(baseline), current,
					ARRAY_SIZE(current), NULL, d, 1), 3);
	assert_string_equal(d[0].name, "rss_bytes");
	assert_int_equal(drift__compare(baseline, ARRAY_SIZE(baseline), current,
					ARRAY_SIZE(current), NULL, NULL, 0), 3);
}

static void test_empty_and_bad_input(void **state)
{
	struct drift d[1];

	(void)state;
	assert_int_equal(drift__compare(NULL, 0, NULL, 0, NULL, d, 1), 0);
	assert_int_equal(drift__compare(baseline, ARRAY_SIZE(baseline), NULL, 0, NULL, d, 1), 0);
	assert_int_equal(drift__compare(NULL, 1, current, 1, NULL, d, 1), -EINVAL);
	assert_int_equal(drift__compare(baseline, 1, current, 1, NULL, NULL, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_significant_changes_only),
		cmocka_unit_test(test_missing_names_as_zero),
		cmocka_unit_test(test_custom_threshold_and_floors),
		cmocka_unit_test(test_output_truncated_total_returned),
		cmocka_unit_test(test_empty_and_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
