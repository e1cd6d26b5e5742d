#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "analysis/budget.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_crossing_and_recovery_events(void **state)
{
	static const double values[] = { 50, 80, 120, 150, 110, 90, 130, 100, 95, 70 };
	static const enum budget_event expected[] = {
		BUDGET_OK, BUDGET_OK, BUDGET_EXCEEDED, BUDGET_STILL_OVER, BUDGET_STILL_OVER,
		BUDGET_RECOVERED, BUDGET_EXCEEDED, BUDGET_RECOVERED, BUDGET_OK, BUDGET_OK,
	};
	struct budget_report reps[ARRAY_SIZE(values)];
	struct budget_watch w;
	size_t i;

	(void)state;
	budget_watch__init(&w, "rss", 100, 100);
	for (i = 0; i < ARRAY_SIZE(values); i++)
		assert_int_equal(budget_watch__feed(&w, 10.0 * (double)i, values[i], &reps[i]),
				 expected[i]);

	assert_string_equal(reps[2].name, "rss");
	assert_true(reps[2].value == 120 && reps[2].limit == 100 && reps[2].excess == 20);
	assert_true(reps[2].since == 20 && reps[2].duration == 0);
	assert_true(reps[4].excess == 10 && reps[4].duration == 20 && reps[4].peak == 150);
	/* the recovery closes the episode: since, duration and peak of it */
	assert_true(reps[5].since == 20 && reps[5].duration == 30 && reps[5].peak == 150);
	assert_true(reps[5].excess == -10);
	/* exactly at the limit is within */
	assert_true(reps[7].since == 60 && reps[7].duration == 10 && reps[7].peak == 130);
	assert_true(reps[8].duration == 0 && reps[8].since == 0);
}

static void test_hysteresis(void **state)
{
	static const double values[] = { 120, 99, 81, 80, 99 };
	static const enum budget_event expected[] = {
		BUDGET_EXCEEDED, BUDGET_STILL_OVER, BUDGET_STILL_OVER, BUDGET_RECOVERED, BUDGET_OK,
	};
	struct budget_watch w;
	size_t i;

	(void)state;
	budget_watch__init(&w, "live", 100, 80);
	for (i = 0; i < ARRAY_SIZE(values); i++)
		assert_int_equal(budget_watch__feed(&w, (double)i, values[i], NULL), expected[i]);

	/* recovering above the limit would make no sense: taken as the limit */
	budget_watch__init(&w, "live", 100, 500);
	assert_true(w.recover_at == 100);
	assert_string_equal(budget_event_name(BUDGET_RECOVERED), "recovered");
}

static void test_parse_size_accepts(void **state)
{
	static const struct {
		const char *s;
		uint64_t bytes;
	} cases[] = {
		{ "0", 0 },
		{ "512", 512 },
		{ "512B", 512 },
		{ "1k", 1024 },
		{ "64M", 64ULL << 20 },
		{ "64MiB", 64ULL << 20 },
		{ "64mb", 64ULL << 20 },
		{ "2G", 2ULL << 30 },
		{ "3TiB", 3ULL << 40 },
		{ "17179869183G", 17179869183ULL << 30 },
		{ "18446744073709551615", UINT64_MAX },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t bytes = 1;

		assert_true(parse_size(cases[i].s, &bytes));
		assert_int_equal(bytes, cases[i].bytes);
	}
}

static void test_parse_size_rejects(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1.5G", "M", "1MM", "1MiBx", "1iB", "1P", "0x10",
		"17179869184G", "18446744073709551616", "99999999999999999999999",
	};
	uint64_t bytes = 7;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_false(parse_size(bad[i], &bytes));
		assert_int_equal(bytes, 7);
	}
	assert_false(parse_size(NULL, &bytes));
}

static void test_parse_budget_spec(void **state)
{
	struct budget_spec spec;

	(void)state;
	assert_int_equal(parse_budget_spec("dict=1000", &spec), 0);
	assert_string_equal(spec.name, "dict");
	assert_int_equal(spec.limit, 1000);
	free(spec.name);

	assert_int_equal(parse_budget_spec("type:dict=10K", &spec), 0);
	assert_string_equal(spec.name, "type:dict");
	assert_int_equal(spec.limit, 10240);
	free(spec.name);

	assert_int_equal(parse_budget_spec("512M", &spec), 0);
	assert_null(spec.name);
	assert_int_equal(spec.limit, 512ULL << 20);

	assert_int_equal(parse_budget_spec("=5", &spec), -EINVAL);
	assert_int_equal(parse_budget_spec("rss=", &spec), -EINVAL);
	assert_int_equal(parse_budget_spec("rss=-1", &spec), -EINVAL);
	assert_int_equal(parse_budget_spec("a=b=1", &spec), -EINVAL);
	assert_int_equal(parse_budget_spec("dict", &spec), -EINVAL);
	assert_int_equal(parse_budget_spec(NULL, &spec), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crossing_and_recovery_events),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_parse_size_accepts),
		cmocka_unit_test(test_parse_size_rejects),
		cmocka_unit_test(test_parse_budget_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
