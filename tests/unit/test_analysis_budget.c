#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis/budget.h"
#include "analysis/runner.h"
#include "output/console/console_sections.h"

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

#define MiB (1024.0 * 1024.0)

/* An output that keeps the states of the budget events it is given. */
struct recorded_events {
	struct output base;
	char states[8][16];
	int count;
};

static void record_event(struct output *out, const struct analysis_event *ev)
{
	struct recorded_events *rec = (struct recorded_events *)out;

	if (ev->type == EVENT_BUDGET && rec->count < 8)
		snprintf(rec->states[rec->count++], sizeof(rec->states[0]), "%s", ev->state);
}

static void ignore_report(struct output *out, const struct process_report *r)
{
	(void)out;
	(void)r;
}

/* RSS over a 32 MiB budget at one interval, then the summary with last_rss and exited. */
static void feed_process_budget(struct recorded_events *rec, uint64_t last_rss, bool exited)
{
	struct analysis_options opts = { .budget_count = 1, .budgets = { { NULL, 32u << 20 } } };
	struct output *outputs[1] = { &rec->base };
	struct analysis_runner *a;
	struct analysis_process *p;
	struct process_report r = { .pid = getpid(), .elapsed_ns = 1000000000ull,
				    .rss_bytes = 40u << 20 };

	*rec = (struct recorded_events){ .base = { .interval = ignore_report,
						    .summary = ignore_report,
						    .event = record_event } };
	a = analysis_runner__new(&opts, outputs, 1);
	assert_non_null(a);
	p = analysis_process__new(a, r.pid);
	assert_non_null(p);
	analysis_runner__interval(a, p, &r);
	r.elapsed_ns = 2000000000ull;
	r.rss_bytes = last_rss;
	r.exited = exited;
	analysis_runner__summary(a, p, &r, NULL, 0);
	assert_int_equal(r.analysis->budget_count, rec->count);
	analysis_process__free(p);
	analysis_runner__free(a);
}

static void test_no_recovery_when_the_target_exits(void **state)
{
	struct recorded_events rec;

	(void)state;
	/* A live process whose RSS drops recovers... */
	feed_process_budget(&rec, 8u << 20, false);
	assert_int_equal(rec.count, 2);
	assert_string_equal(rec.states[0], "exceeded");
	assert_string_equal(rec.states[1], "recovered");
	/* ...one that exited has no memory left, which is no recovery. */
	feed_process_budget(&rec, 0, true);
	assert_int_equal(rec.count, 1);
	assert_string_equal(rec.states[0], "exceeded");
}

/* What console_write_event or console_write_analysis wrote, in buf. */
static void console_text(const struct analysis_event *ev, const struct process_report *r,
			 char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");

	assert_non_null(f);
	if (ev)
		console_write_event(f, ev);
	else
		console_write_analysis(f, r);
	fclose(f);
}

static void test_console_budget_lines_have_units(void **state)
{
	struct analysis_event ev = {
		.type = EVENT_BUDGET, .pid = 42, .elapsed_ns = 1500000000ull, .budget = "process",
		.state = "exceeded", .value = 40 * MiB, .limit = 32 * MiB, .excess = 8 * MiB,
	};
	char text[256];

	(void)state;
	console_text(&ev, NULL, text, sizeof(text));
	assert_string_equal(text, "! 1.5s PID 42 budget process exceeded: 40.0 MiB "
			    "(limit 32.0 MiB, +8.0 MiB)\n");
	ev.state = "recovered";
	ev.value = 512;
	ev.excess = 512 - 32 * MiB;
	console_text(&ev, NULL, text, sizeof(text));
	assert_string_equal(text, "! 1.5s PID 42 budget process recovered: 512 B "
			    "(limit 32.0 MiB, -32.0 MiB)\n");
	ev = (struct analysis_event){
		.type = EVENT_BUDGET, .pid = 42, .elapsed_ns = 1500000000ull, .budget = "Widget",
		.state = "exceeded", .python_type = true, .value = 5000, .limit = 3000,
		.excess = 2000,
	};
	console_text(&ev, NULL, text, sizeof(text));
	assert_string_equal(text, "! 1.5s PID 42 budget Widget exceeded: 5000 objects "
			    "(limit 3000 objects, +2000 objects)\n");
}

static void test_console_summary_leak_rates_have_units(void **state)
{
	struct analysis_event leaks[2] = {
		{ .type = EVENT_LEAK, .name = "hold_blocks", .severity = LEAK_SEVERITY_HIGH,
		  .growth_per_s = 337239.5 },
		{ .type = EVENT_LEAK, .name = "Leaky", .python_type = true,
		  .severity = LEAK_SEVERITY_CRITICAL, .growth_per_s = 2000 },
	};
	struct analysis_summary summary = { .leaks = leaks, .leak_count = 2 };
	struct process_report r = { .analysis = &summary };
	char text[512];

	(void)state;
	console_text(NULL, &r, text, sizeof(text));
	assert_string_equal(text, "  spikes 0, leaks 2, drifts 0, budget events 0\n"
			    "  leak (high) stack hold_blocks: +329.3 KiB/s\n"
			    "  leak (critical) type Leaky: +2000.0 objects/s\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crossing_and_recovery_events),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_parse_size_accepts),
		cmocka_unit_test(test_parse_size_rejects),
		cmocka_unit_test(test_parse_budget_spec),
		cmocka_unit_test(test_no_recovery_when_the_target_exits),
		cmocka_unit_test(test_console_budget_lines_have_units),
		cmocka_unit_test(test_console_summary_leak_rates_have_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
