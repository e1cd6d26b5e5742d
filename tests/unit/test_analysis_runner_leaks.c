/* The leak detectors through the runner, on synthetic reports: a type that comes after many
 * stacks and types still gets a series; survival at exit sets the exit code. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis/runner.h"
#include "model/exit_codes.h"

#define SEC 1000000000ull
#define KINDS 400
#define STACKS 32

static void ignore_report(struct output *out, const struct process_report *r)
{
	(void)out;
	(void)r;
}

static struct output quiet = { .interval = ignore_report, .summary = ignore_report };

static const struct analysis_event *find_leak(const struct process_report *r, const char *name,
					      bool survival)
{
	for (size_t i = 0; i < r->analysis->leak_count; i++) {
		const struct analysis_event *ev = &r->analysis->leaks[i];

		if (!strcmp(ev->name, name) && ev->survival == survival)
			return ev;
	}
	return NULL;
}

/* 40 reports 0.5 s apart, each with 32 stacks never seen before (flat: no leak) and 400
 * framework types of 3 instances; Item comes at the 6th report and grows by one a report.
 * The series table once held 256 series: full at the 8th report, it had no room for Item. */
static void test_late_type_behind_many_series_is_found(void **state)
{
	static struct python_type_report types[KINDS + 1];
	struct analysis_options opts = { 0 };
	struct output *outputs[1] = { &quiet };
	struct stack_report stacks[STACKS];
	struct python_report py = { .types = types, .objects_known = true };
	struct process_report r = { .pid = getpid(), .native_traced = true, .python = &py };
	struct analysis_runner *a = analysis_runner__new(&opts, outputs, 1);
	struct analysis_process *p = analysis_process__new(a, r.pid);
	const struct analysis_event *item;

	(void)state;
	assert_non_null(p);
	for (int k = 0; k < KINDS; k++) {
		snprintf(types[k].name, sizeof(types[k].name), "Kind%d", k);
		types[k].has_live = true;
		types[k].live = 3;
		types[k].live_bytes = 3 * 56;
	}
	snprintf(types[KINDS].name, sizeof(types[KINDS].name), "Item");
	types[KINDS].has_live = true;
	for (int i = 1; i <= 40; i++) {
		for (int k = 0; k < STACKS; k++)
			stacks[k] = (struct stack_report){ .stack_id = i * STACKS + k,
							   .live_allocs = 1, .live_bytes = 4096,
							   .allocs = 1, .bytes_allocated = 4096 };
		r.stacks = stacks;
		r.stack_count = STACKS;
		r.elapsed_ns = (uint64_t)i * SEC / 2;
		types[KINDS].live = i > 5 ? (uint64_t)(i - 5) : 0;
		types[KINDS].live_bytes = types[KINDS].live * 72;
		py.type_count = i > 5 ? KINDS + 1 : KINDS;
		analysis_runner__interval(a, p, &r);
	}
	r.stacks = NULL;
	r.stack_count = 0;
	analysis_runner__summary(a, p, &r, NULL, 0);
	item = find_leak(&r, "Item", false);
	assert_non_null(item);
	assert_true(item->python_type);
	assert_true(fabs(item->growth_per_s - 2) < 0.01);
	assert_true(item->live == 35);
	/* two a second (7,200/h) of 72 bytes: low */
	assert_int_equal(item->severity, LEAK_SEVERITY_LOW);
	for (size_t i = 0; i < r.analysis->leak_count; i++)
		assert_true(!strncmp(r.analysis->leaks[i].name, "Item", 4));
	analysis_process__free(p);
	analysis_runner__free(a);
}

/* A 3 s process: stack 1 keeps 100 blocks of 4 KiB a second, stack 2 frees what it makes;
 * reports at 1 s (warm-up) and 2 s, the summary at its exit at 3 s. */
static int survival_run(bool leaky, struct analysis_event *leak, size_t *leaks)
{
	struct analysis_options opts = { .fail_on_leak = true,
					 .fail_on_leak_severity = LEAK_SEVERITY_MEDIUM };
	struct output *outputs[1] = { &quiet };
	struct analysis_runner *a = analysis_runner__new(&opts, outputs, 1);
	struct analysis_process *p = analysis_process__new(a, getpid());
	static char *frames[] = { "leak_block" };
	struct stack_report stacks[2];
	struct process_report r = { .pid = getpid(), .native_traced = true, .stacks = stacks,
				    .stack_count = 2 };
	const struct analysis_event *ev;
	int code;

	assert_non_null(p);
	for (int t = 1; t <= 3; t++) {
		uint64_t kept = leaky ? 100u * t : 0;

		stacks[0] = (struct stack_report){ .stack_id = 1, .allocs = 100u * t,
						   .live_allocs = kept, .live_bytes = kept * 4096,
						   .depth = 1, .frames = frames };
		stacks[1] = (struct stack_report){ .stack_id = 2, .allocs = 5000u * t,
						   .live_allocs = 2, .live_bytes = 2 * 512 };
		r.elapsed_ns = (uint64_t)t * SEC;
		r.exited = t == 3;
		if (t < 3)
			analysis_runner__interval(a, p, &r);
		else
			analysis_runner__summary(a, p, &r, NULL, 0);
	}
	*leaks = r.analysis->leak_count;
	ev = find_leak(&r, "leak_block", true);
	if (ev)
		*leak = *ev;
	code = analysis_runner__exit_code(a);
	analysis_process__free(p);
	analysis_runner__free(a);
	return code;
}

static void test_survival_at_exit_fails_the_run(void **state)
{
	struct analysis_event leak = { 0 };
	size_t leaks;

	(void)state;
	assert_int_equal(survival_run(true, &leak, &leaks), EXIT_LEAK);
	assert_int_equal(leaks, 1);
	assert_true(leak.survival && !leak.python_type);
	assert_true(leak.made == 200 && leak.survived_share == 1);
	assert_true(leak.live == 200 * 4096);
	assert_true(leak.warmup_s == 1);
	assert_true(fabs(leak.growth_per_s - 100 * 4096) < 1e-6);
	assert_int_equal(leak.severity, LEAK_SEVERITY_CRITICAL);

	leak = (struct analysis_event){ 0 };
	assert_int_equal(survival_run(false, &leak, &leaks), EXIT_OK);
	assert_int_equal(leaks, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_late_type_behind_many_series_is_found),
		cmocka_unit_test(test_survival_at_exit_fails_the_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
