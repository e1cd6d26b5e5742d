// SPDX-License-Identifier: GPL-2.0
/* The pure half of the retainer lookup: path names, tallying, ranking and scaling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "target/python/retainer_paths.h"

static void test_format(void **state)
{
	const char *types[] = { "dict", "list" };
	char out[RETAINER_PATH_LEN];

	(void)state;
	retainer_path__format(out, sizeof(out), "leaky_module", "_SESSIONS", types, 1, "Session");
	assert_string_equal(out, "leaky_module._SESSIONS (dict) \xe2\x86\x92 Session");
	retainer_path__format(out, sizeof(out), "app", "CACHE", types, 2, "Row");
	assert_string_equal(out, "app.CACHE (dict) \xe2\x86\x92 list \xe2\x86\x92 Row");
	retainer_path__format(out, sizeof(out), "app", "CURRENT", NULL, 0, "Row");
	assert_string_equal(out, "app.CURRENT \xe2\x86\x92 Row");
	/* Too long: cut, still terminated. */
	retainer_path__format(out, 12, "leaky_module", "_SESSIONS", types, 1, "Session");
	assert_string_equal(out, "leaky_modul");
}

static void test_rank_and_scale(void **state)
{
	struct retainer_tally t = { 0 };
	struct retainer_report r = { 0 };

	(void)state;
	for (int i = 0; i < 30; i++)
		assert_true(retainer_tally__add(&t, "m.A (list) \xe2\x86\x92 X", 1));
	assert_true(retainer_tally__add(&t, "m.B (dict) \xe2\x86\x92 X", 10));
	assert_true(retainer_tally__add(&t, RETAINER_UNRESOLVED, 10));
	/* 50 sampled of 200 instances: each counts for 4. */
	retainer_tally__rank(&t, 200, 50, &r);
	assert_int_equal(r.count, 3);
	assert_string_equal(r.paths[0].path, "m.A (list) \xe2\x86\x92 X");
	assert_int_equal(r.paths[0].count, 120);
	/* Ties by path name. */
	assert_string_equal(r.paths[1].path, RETAINER_UNRESOLVED);
	assert_int_equal(r.paths[1].count, 40);
	assert_string_equal(r.paths[2].path, "m.B (dict) \xe2\x86\x92 X");
	assert_int_equal(r.instances, 200);
	assert_int_equal(r.sampled, 50);
	retainer_tally__free(&t);
}

static void test_top_only_and_full_tally(void **state)
{
	struct retainer_tally t = { 0 };
	struct retainer_report r = { 0 };
	char path[32];

	(void)state;
	for (int i = 0; i < RETAINER_TALLY_MAX; i++) {
		snprintf(path, sizeof(path), "m.G%d \xe2\x86\x92 X", i);
		assert_true(retainer_tally__add(&t, path, (uint64_t)i + 1));
	}
	assert_false(retainer_tally__add(&t, "m.more \xe2\x86\x92 X", 7));
	assert_int_equal(t.dropped, 7);
	retainer_tally__rank(&t, 100, 100, &r);
	assert_int_equal(r.count, RETAINER_PATHS_MAX);
	snprintf(path, sizeof(path), "m.G%d \xe2\x86\x92 X", RETAINER_TALLY_MAX - 1);
	assert_string_equal(r.paths[0].path, path);
	assert_int_equal(r.paths[0].count, RETAINER_TALLY_MAX);   /* not scaled: all followed */
	retainer_tally__free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_rank_and_scale),
		cmocka_unit_test(test_top_only_and_full_tally),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
