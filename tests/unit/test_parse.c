/* Command-line value parsers: every accepted form and a table of bad values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/parse.h"

static void parses_pids(void **state)
{
	pid_t pid;

	(void)state;
	assert_true(parse_pid("1", &pid));
	assert_int_equal(pid, 1);
	assert_true(parse_pid("4194304", &pid));
	assert_int_equal(pid, 4194304);
	static const char *const bad[] = { "", "0", "-1", "+5", " 5", "5 ", "4194305", "1e3",
					   "0x10", "abc", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(parse_pid(bad[i], &pid));
}

static void parses_durations_with_units(void **state)
{
	static const struct { const char *text; uint64_t ns; } good[] = {
		{ "1", 1000000000ull }, { "0.5", 500000000ull }, { "250ms", 250000000ull },
		{ "10s", 10000000000ull }, { "2m", 120000000000ull }, { "1h", 3600000000000ull },
		{ "100us", 100000ull }, { ".25", 250000000ull },
	};
	uint64_t ns;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(parse_duration_ns(good[i].text, &ns));
		assert_int_equal(ns, good[i].ns);
	}
	static const char *const bad[] = { "", "0", "-1", "1x", "ms", "1 s", "nan", "inf",
					   "1e400", "0.0001us", "5weeks", "1ss" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(parse_duration_ns(bad[i], &ns));
}

static void parses_bounded_counts(void **state)
{
	uint32_t v;

	(void)state;
	assert_true(parse_uint32_range("1024", 1024, 2048, &v));
	assert_int_equal(v, 1024);
	assert_false(parse_uint32_range("1023", 1024, 2048, &v));
	assert_false(parse_uint32_range("2049", 1024, 2048, &v));
	assert_false(parse_uint32_range("-1", 0, 10, &v));
	assert_false(parse_uint32_range("4294967296", 0, UINT32_MAX, &v));
	assert_false(parse_uint32_range("12abc", 0, 100, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_pids),
		cmocka_unit_test(parses_durations_with_units),
		cmocka_unit_test(parses_bounded_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
