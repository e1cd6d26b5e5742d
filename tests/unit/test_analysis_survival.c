#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analysis/survival.h"

#define KIB 1024.0
#define MIB (1024.0 * KIB)

static struct survival_result judge(const struct survival_counts *c, double span_s)
{
	struct survival_result res;

	assert_int_equal(survival__judge(c, span_s, NULL, &res), 0);
	return res;
}

/* A C target's stack: 200 blocks of 4 KiB made in 2 s after warm-up, 190 live at exit:
 * 380 KiB/s (1.3 GiB/h) kept, a critical leak, though 2 s is no trend. */
static void test_stack_whose_blocks_survive_is_leak(void **state)
{
	struct survival_counts c = { .made = 200, .survived = 190, .survived_bytes = 190 * 4 * KIB };
	struct survival_result res;

	(void)state;
	res = judge(&c, 2);
	assert_true(res.is_leak);
	assert_int_equal(res.verdict, SURVIVAL_LEAK);
	assert_true(fabs(res.share - 0.95) < 1e-9);
	assert_true(fabs(res.per_s - 190 * 4 * KIB / 2) < 1e-6);
	assert_int_equal(res.severity, LEAK_SEVERITY_CRITICAL);

	/* the same share at 4 KiB/s: 14 MiB/h, medium */
	c = (struct survival_counts){ .made = 40, .survived = 40, .survived_bytes = 40 * KIB };
	res = judge(&c, 10);
	assert_true(res.is_leak);
	assert_int_equal(res.severity, LEAK_SEVERITY_MEDIUM);
}

/* A churning stack: 100,000 made, 300 live at exit (a buffer in use): mostly freed. */
static void test_stack_whose_blocks_are_freed_is_not_leak(void **state)
{
	struct survival_counts c = { .made = 100000, .survived = 300, .survived_bytes = 300 * KIB };
	struct survival_result res;

	(void)state;
	res = judge(&c, 10);
	assert_false(res.is_leak);
	assert_int_equal(res.verdict, SURVIVAL_FREED);
	assert_int_equal(res.severity, LEAK_SEVERITY_NONE);
	/* the boundary: half survived is "mostly" */
	c = (struct survival_counts){ .made = 64, .survived = 32, .survived_bytes = 32 * KIB };
	assert_true(judge(&c, 1).is_leak);
	c.survived = 31;
	assert_int_equal(judge(&c, 1).verdict, SURVIVAL_FREED);
}

/* A few buffers kept till exit (a cache of 8 entries): not a leak, whatever their size. */
static void test_few_survivors_are_not_leak(void **state)
{
	struct survival_counts c = { .made = 8, .survived = 8, .survived_bytes = 8 * MIB };

	(void)state;
	assert_int_equal(judge(&c, 1).verdict, SURVIVAL_FEW);
	/* fewer live at exit than at warm-up */
	c = (struct survival_counts){ .made = 100, .survived = -20, .survived_bytes = -20 * KIB };
	assert_int_equal(judge(&c, 1).verdict, SURVIVAL_FEW);
}

/* Python types from a census (creations not seen): the count must have risen at most
 * reports after warm-up; severity by count and bytes. */
static void test_census_type_rising_is_leak(void **state)
{
	/* 50 objects a second of 1 KiB for 13 s: 180,000/h (high by count) */
	struct survival_counts c = { .objects = true, .made = -1, .survived = 650,
				     .survived_bytes = 650 * KIB, .steps = 13, .rising_steps = 13 };
	struct survival_result res;

	(void)state;
	res = judge(&c, 13);
	assert_true(res.is_leak);
	assert_true(res.share < 0);
	assert_true(fabs(res.per_s - 50) < 1e-9);
	assert_int_equal(res.severity, LEAK_SEVERITY_HIGH);
	/* one object a second of 4 KiB: low by count, medium by bytes (14 MiB/h) */
	c = (struct survival_counts){ .objects = true, .made = -1, .survived = 20,
				      .survived_bytes = 20 * 4 * KIB, .steps = 4, .rising_steps = 3 };
	res = judge(&c, 20);
	assert_true(res.is_leak);
	assert_int_equal(res.severity, LEAK_SEVERITY_MEDIUM);
}

/* A churning type caught high at the last census: its count went down at half the reports. */
static void test_census_type_churning_is_not_leak(void **state)
{
	struct survival_counts c = { .objects = true, .made = -1, .survived = 700,
				     .survived_bytes = 700 * 64, .steps = 12, .rising_steps = 6 };

	(void)state;
	assert_int_equal(judge(&c, 12).verdict, SURVIVAL_NOT_STEADY);
	/* one report after warm-up says nothing about steadiness */
	c.steps = c.rising_steps = 1;
	assert_int_equal(judge(&c, 1).verdict, SURVIVAL_NOT_STEADY);
	/* event mode: creations known, most freed */
	c = (struct survival_counts){ .objects = true, .made = 5000, .survived = 700,
				      .survived_bytes = 700 * 64 };
	assert_int_equal(judge(&c, 12).verdict, SURVIVAL_FREED);
}

static void test_bad_input(void **state)
{
	struct survival_counts c = { .made = 10, .survived = 100, .survived_bytes = 100 };
	struct survival_result res;

	(void)state;
	assert_int_equal(survival__judge(NULL, 1, NULL, &res), -EINVAL);
	assert_int_equal(survival__judge(&c, 1, NULL, NULL), -EINVAL);
	c.survived = NAN;
	assert_int_equal(survival__judge(&c, 1, NULL, &res), -EINVAL);
	/* made fewer than survived (a stack absent at warm-up): share capped at 1 */
	c.survived = 100;
	assert_true(judge(&c, 1).share == 1);
	/* no time after warm-up */
	assert_int_equal(judge(&c, 0).verdict, SURVIVAL_NO_SPAN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_whose_blocks_survive_is_leak),
		cmocka_unit_test(test_stack_whose_blocks_are_freed_is_not_leak),
		cmocka_unit_test(test_few_survivors_are_not_leak),
		cmocka_unit_test(test_census_type_rising_is_leak),
		cmocka_unit_test(test_census_type_churning_is_not_leak),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
