#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/survival.h"
#include "analysis/survival_watch.h"

#define KIB 1024.0
#define MIB (1024.0 * KIB)

static struct survival_result judge(const struct survival_counts *c, double span_s)
{
	struct survival_result res;

	assert_int_equal(survival__judge(c, span_s, NULL, &res), 0);
	return res;
}

/* A C target's stack: 200 blocks of 4 KiB made in 2 s after warm-up, 190 live at exit, its
 * live bytes up at both reports since: 380 KiB/s (1.3 GiB/h) kept, a critical leak, though
 * 2 s is no trend. */
static void test_stack_whose_blocks_survive_is_leak(void **state)
{
	struct survival_counts c = { .made = 200, .survived = 190, .survived_bytes = 190 * 4 * KIB,
				     .steps = 2, .rising_steps = 2 };
	struct survival_result res;

	(void)state;
	res = judge(&c, 2);
	assert_true(res.is_leak);
	assert_int_equal(res.verdict, SURVIVAL_LEAK);
	assert_true(fabs(res.share - 0.95) < 1e-9);
	assert_true(fabs(res.per_s - 190 * 4 * KIB / 2) < 1e-6);
	assert_int_equal(res.severity, LEAK_SEVERITY_CRITICAL);

	/* the same share at 4 KiB/s: 14 MiB/h, medium */
	c = (struct survival_counts){ .made = 40, .survived = 40, .survived_bytes = 40 * KIB,
				      .steps = 10, .rising_steps = 10 };
	res = judge(&c, 10);
	assert_true(res.is_leak);
	assert_int_equal(res.severity, LEAK_SEVERITY_MEDIUM);
}

/* A churning stack: 100,000 made, 300 live at exit (a buffer in use): mostly freed. */
static void test_stack_whose_blocks_are_freed_is_not_leak(void **state)
{
	struct survival_counts c = { .made = 100000, .survived = 300, .survived_bytes = 300 * KIB,
				     .steps = 10, .rising_steps = 10 };
	struct survival_result res;

	(void)state;
	res = judge(&c, 10);
	assert_false(res.is_leak);
	assert_int_equal(res.verdict, SURVIVAL_FREED);
	assert_int_equal(res.severity, LEAK_SEVERITY_NONE);
	/* the boundary: half survived is "mostly" */
	c = (struct survival_counts){ .made = 64, .survived = 32, .survived_bytes = 32 * KIB,
				      .steps = 2, .rising_steps = 2 };
	assert_true(judge(&c, 1).is_leak);
	c.survived = 31;
	assert_int_equal(judge(&c, 1).verdict, SURVIVAL_FREED);
}

/* A few buffers kept till exit (a cache of 8 entries): not a leak, whatever their size. */
static void test_few_survivors_are_not_leak(void **state)
{
	struct survival_counts c = { .made = 8, .survived = 8, .survived_bytes = 8 * MIB,
				     .steps = 5, .rising_steps = 5 };

	(void)state;
	assert_int_equal(judge(&c, 1).verdict, SURVIVAL_FEW);
	/* fewer live at exit than at warm-up */
	c = (struct survival_counts){ .made = 100, .survived = -20, .survived_bytes = -20 * KIB };
	assert_int_equal(judge(&c, 1).verdict, SURVIVAL_FEW);
}

/* Filled once after warm-up and kept (a lazy import, a cache): all of it survives, but the
 * figure rose at one report of 13. A leak rises at most. */
static void test_one_time_growth_is_not_leak(void **state)
{
	struct survival_counts c = { .made = 500, .survived = 500, .survived_bytes = 500 * KIB,
				     .steps = 13, .rising_steps = 1 };

	(void)state;
	assert_int_equal(judge(&c, 13).verdict, SURVIVAL_NOT_STEADY);
	/* rising at half the reports: a leak (the boundary) */
	c.rising_steps = 7;
	assert_true(judge(&c, 13).is_leak);
	c.rising_steps = 6;
	assert_int_equal(judge(&c, 13).verdict, SURVIVAL_NOT_STEADY);
	/* one report after warm-up says nothing about steadiness */
	c.steps = c.rising_steps = 1;
	assert_int_equal(judge(&c, 1).verdict, SURVIVAL_NOT_STEADY);
}

/* Python types from a census (creations not seen): severity by count and bytes. */
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
				      .survived_bytes = 20 * 4 * KIB, .steps = 4, .rising_steps = 3,
				      .falling_steps = 1 };
	res = judge(&c, 20);
	assert_true(res.is_leak);
	assert_int_equal(res.severity, LEAK_SEVERITY_MEDIUM);
}

/* A churning type caught high at the last census: its count went down at 5 of 12 reports. */
static void test_census_type_churning_is_not_leak(void **state)
{
	struct survival_counts c = { .objects = true, .made = -1, .survived = 700,
				     .survived_bytes = 700 * 64, .steps = 12, .rising_steps = 7,
				     .falling_steps = 5 };

	(void)state;
	assert_int_equal(judge(&c, 12).verdict, SURVIVAL_NOT_STEADY);
	/* falling at a quarter of them is still a leak (the boundary) */
	c.falling_steps = 3;
	assert_true(judge(&c, 12).is_leak);
	/* event mode: creations known, most freed */
	c = (struct survival_counts){ .objects = true, .made = 5000, .survived = 700,
				      .survived_bytes = 700 * 64, .steps = 12, .rising_steps = 12 };
	assert_int_equal(judge(&c, 12).verdict, SURVIVAL_FREED);
}

static void test_bad_input(void **state)
{
	struct survival_counts c = { .made = 10, .survived = 100, .survived_bytes = 100,
				     .steps = 2, .rising_steps = 2 };
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

/* --- survival_watch: the counts from a process's reports ------------------------------ */

#define SEC 1000000000ull

/* A census report at t seconds: Leaky grows 10 a second from 5, Churn goes up and down. */
static void census_report(struct process_report *r, struct python_report *py,
			  struct python_type_report types[2], double t, bool exited)
{
	static const uint64_t churn[] = { 40, 90, 10, 70, 20, 95, 30, 80, 15, 99 };

	memset(types, 0, 2 * sizeof(types[0]));
	snprintf(types[0].name, sizeof(types[0].name), "Leaky");
	types[0].has_live = true;
	types[0].live = 5 + (uint64_t)(10 * t);
	types[0].live_bytes = types[0].live * 100;
	snprintf(types[1].name, sizeof(types[1].name), "Churn");
	types[1].has_live = true;
	types[1].live = churn[(size_t)t % 10];
	types[1].live_bytes = types[1].live * 50;
	*py = (struct python_report){ .types = types, .type_count = 2, .objects_known = true };
	*r = (struct process_report){ .python = py, .elapsed_ns = (uint64_t)(t * SEC),
				      .exited = exited };
}

static void test_watch_types_from_census(void **state)
{
	struct survival_watch w;
	struct process_report r;
	struct python_report py;
	struct python_type_report types[2];
	struct survival_candidate *stacks, *tc;
	size_t sn, tn;

	(void)state;
	survival_watch__init(&w, 2 * SEC);
	for (int t = 0; t <= 9; t++) {   /* reports at 0..9 s: the warm-up ones at 2 s */
		census_report(&r, &py, types, t, false);
		survival_watch__interval(&w, &r);
	}
	assert_true(w.taken);
	assert_int_equal(w.taken_ns, 2 * SEC);
	/* exit at 9.5 s: its types are those of the last census, at 9 s */
	census_report(&r, &py, types, 9, true);
	r.elapsed_ns = 9 * SEC + SEC / 2;
	assert_int_equal(survival_watch__exit(&w, &r, &stacks, &sn, &tc, &tn), 0);
	assert_int_equal(sn, 0);
	assert_int_equal(tn, 2);
	/* Leaky: 25 at warm-up, 95 at the end: 70 survived in 7 s, 7 of 7 steps rising */
	assert_true(tc[0].counts.objects);
	assert_true(tc[0].counts.made < 0);
	assert_true(tc[0].counts.survived == 70 && tc[0].counts.survived_bytes == 7000);
	assert_int_equal(tc[0].counts.steps, 7);
	assert_int_equal(tc[0].counts.rising_steps, 7);
	assert_int_equal(tc[0].counts.falling_steps, 0);
	assert_true(tc[0].span_s == 7);
	assert_true(judge(&tc[0].counts, tc[0].span_s).is_leak);
	/* Churn: 10 at warm-up, 99 at the end, but it fell at 3 of 7 steps */
	assert_true(tc[1].counts.survived == 89);
	assert_int_equal(tc[1].counts.steps, 7);
	assert_int_equal(tc[1].counts.rising_steps, 4);
	assert_int_equal(tc[1].counts.falling_steps, 3);
	assert_int_equal(judge(&tc[1].counts, tc[1].span_s).verdict, SURVIVAL_NOT_STEADY);
	free(stacks);
	free(tc);
	survival_watch__free(&w);
}

static void test_watch_stacks_against_warmup(void **state)
{
	struct stack_report warm[1] = { { .stack_id = 7, .allocs = 50, .live_allocs = 40,
					  .live_bytes = 40 * 4096 } };
	struct stack_report mid[1] = { { .stack_id = 7, .allocs = 150, .live_allocs = 138,
					 .live_bytes = 138 * 4096 } };
	struct stack_report end[2] = {
		{ .stack_id = 7, .allocs = 250, .live_allocs = 235, .live_bytes = 235 * 4096 },
		/* not among the top stacks at warm-up: counted from attach */
		{ .stack_id = 9, .allocs = 1000, .live_allocs = 3, .live_bytes = 3 * 64 },
	};
	struct process_report r = { .native_traced = true, .stacks = warm, .stack_count = 1,
				    .elapsed_ns = SEC };
	struct survival_watch w;
	struct survival_candidate *sc, *tc;
	size_t sn, tn;

	(void)state;
	survival_watch__init(&w, SEC);
	/* before any report at or after warm-up: nothing to judge */
	r.elapsed_ns = SEC / 2;
	survival_watch__interval(&w, &r);
	assert_int_equal(survival_watch__exit(&w, &r, &sc, &sn, &tc, &tn), -EAGAIN);
	r.elapsed_ns = SEC;
	survival_watch__interval(&w, &r);
	/* an exit straight after warm-up: one step (the exit) is too few */
	r = (struct process_report){ .native_traced = true, .stacks = end, .stack_count = 2,
				     .elapsed_ns = 3 * SEC, .exited = true };
	assert_int_equal(survival_watch__exit(&w, &r, &sc, &sn, &tc, &tn), 0);
	assert_int_equal(sc[0].counts.steps, 1);
	assert_int_equal(judge(&sc[0].counts, sc[0].span_s).verdict, SURVIVAL_NOT_STEADY);
	free(sc);
	free(tc);
	/* with a report between: risen at both */
	r = (struct process_report){ .native_traced = true, .stacks = mid, .stack_count = 1,
				     .elapsed_ns = 2 * SEC };
	survival_watch__interval(&w, &r);
	r = (struct process_report){ .native_traced = true, .stacks = end, .stack_count = 2,
				     .elapsed_ns = 3 * SEC, .exited = true };
	assert_int_equal(survival_watch__exit(&w, &r, &sc, &sn, &tc, &tn), 0);
	assert_int_equal(sc[0].counts.steps, 2);
	assert_int_equal(sc[0].counts.rising_steps, 2);
	assert_int_equal(sn, 2);
	assert_int_equal(tn, 0);
	assert_true(sc[0].counts.made == 200 && sc[0].counts.survived == 195);
	assert_true(sc[0].counts.survived_bytes == 195 * 4096 && sc[0].span_s == 2);
	assert_int_equal(judge(&sc[0].counts, sc[0].span_s).severity, LEAK_SEVERITY_CRITICAL);
	assert_true(sc[1].counts.made == 1000 && sc[1].counts.survived == 3);
	assert_false(judge(&sc[1].counts, sc[1].span_s).is_leak);
	free(sc);
	free(tc);
	/* the default mode's windowed counts are not every block's: no stack is judged */
	r.native_windowed = true;
	assert_int_equal(survival_watch__exit(&w, &r, &sc, &sn, &tc, &tn), 0);
	assert_int_equal(sn, 0);
	free(sc);
	free(tc);
	survival_watch__free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_whose_blocks_survive_is_leak),
		cmocka_unit_test(test_stack_whose_blocks_are_freed_is_not_leak),
		cmocka_unit_test(test_few_survivors_are_not_leak),
		cmocka_unit_test(test_one_time_growth_is_not_leak),
		cmocka_unit_test(test_census_type_rising_is_leak),
		cmocka_unit_test(test_census_type_churning_is_not_leak),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_watch_types_from_census),
		cmocka_unit_test(test_watch_stacks_against_warmup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
