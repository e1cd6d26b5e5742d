/* Hierarchical budgets (analysis/budget_tree.h): the tree from --budget specs, and the
 * runner's events at each level over synthetic reports. */
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

#include "analysis/budget_tree.h"
#include "analysis/runner.h"
#include "output/console/console_sections.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MiB (1024ull * 1024ull)

/* The nodes borrow the specs' names: kept until the next build. */
static struct budget_spec parsed[ANALYSIS_MAX_BUDGETS];
static int parsed_count;

static int build(const char *const *specs, int count, struct budget_node *nodes, char *why)
{
	for (int i = 0; i < parsed_count; i++)
		free(parsed[i].name);
	for (int i = 0; i < count; i++)
		assert_int_equal(parse_budget_spec(specs[i], &parsed[i]), 0);
	parsed_count = count;
	return budget_tree__build(parsed, count, nodes, why, 256);
}

static void test_tree_parents_groups_and_units(void **state)
{
	static const char *const specs[] = {
		"512M", "process/stack:render=100M", "process/lib:/usr/lib/libfoo.so=50M",
		"containers=1000", "containers/list=600", "containers/type:dict=600",
		"native=64M", "native/stack:parse=32M", "native/cache=16M",
		"native/cache/stack:cache_put=8M",
	};
	struct budget_node n[ARRAY_SIZE(specs)];
	char why[256] = "";

	(void)state;
	assert_int_equal(build(specs, ARRAY_SIZE(specs), n, why), 0);
	assert_string_equal(n[0].path, "process");
	assert_true(n[0].parent == -1 && n[0].depth == 0 && !n[0].group && !n[0].counts_objects);
	/* the bare size keeps its own metric (RSS) with children */
	assert_true(n[1].parent == 0 && n[1].depth == 1);
	assert_string_equal(n[1].metric, "stack:render");
	assert_string_equal(n[2].metric, "lib:/usr/lib/libfoo.so");
	/* a name that is no metric with children is a group of their unit */
	assert_true(n[3].group && n[3].counts_objects && n[3].parent == -1);
	assert_true(n[4].parent == 3 && n[4].counts_objects && !n[4].group);
	assert_string_equal(n[5].metric, "type:dict");
	assert_true(n[6].group && !n[6].counts_objects);
	/* a nested group: bytes from its own child, and so its parent's unit too */
	assert_true(n[8].group && !n[8].counts_objects && n[8].parent == 6 && n[8].depth == 1);
	assert_true(n[9].parent == 8 && n[9].depth == 2);
	assert_string_equal(n[9].path, "native/cache/stack:cache_put");
	assert_string_equal(n[9].metric, "stack:cache_put");
}

static void test_tree_rejects(void **state)
{
	static const char *const no_parent[] = { "512M", "totl/dict=5" };
	static const char *const twice[] = { "dict=5", "dict=6", "dict/x=1" };
	static const char *const mixed[] = { "all=5", "all/dict=5", "all/stack:f=5M" };
	static const char *const mixed_nested[] = { "all=5", "all/dict=5", "all/n=1M",
						    "all/n/stack:f=1M" };
	static const char *const lib_path[] = { "lib:/usr/lib/libc.so=1M" };
	struct budget_node n[4];
	char why[256];

	(void)state;
	assert_int_equal(build(no_parent, 2, n, why), -EINVAL);
	assert_string_equal(why, "budget totl/dict: no budget totl given before it");
	/* one name with two limits is two budgets; a child goes under the later one */
	assert_int_equal(build(twice, 3, n, why), 0);
	assert_true(n[2].parent == 1);
	assert_int_equal(build(mixed, 3, n, why), -EINVAL);
	assert_string_equal(why, "budget all: a group sums its children, which cannot mix bytes "
			    "and objects");
	assert_int_equal(build(mixed_nested, 4, n, why), -EINVAL);
	assert_string_equal(why, "budget all: a group sums its children, which cannot mix bytes "
			    "and objects");
	/* lib: takes a path: a root, not a child of "lib:" */
	assert_int_equal(build(lib_path, 1, n, why), 0);
	assert_true(n[0].parent == -1);
}

static void test_sum_groups(void **state)
{
	static const char *const specs[] = { "native=64M", "native/stack:a=32M",
					     "native/cache=16M", "native/cache/stack:b=8M",
					     "native/cache/stack:c=8M" };
	struct budget_node n[5];
	double values[5] = { 0, 10, 0, 3, 4 };
	bool known[5] = { false, true, false, true, false };
	char why[256];

	(void)state;
	assert_int_equal(build(specs, 5, n, why), 0);
	budget_tree__sum_groups(n, 5, values, known);
	/* c is unknown: left out, not counted as 0-valued evidence */
	assert_true(known[2] && values[2] == 3);
	assert_true(known[0] && values[0] == 13);
}

static void test_tree_over_processes(void **state)
{
	static const char *const specs[] = {
		"processes=1G", "processes/comm:worker=600M", "processes/pid:42=100M",
		"web=1G", "web/comm:nginx=100M", "web/container:abc=200M",
	};
	static const char *const mixed_parent[] = { "512M", "process/comm:worker=1M" };
	static const char *const mixed_child[] = { "processes=1G", "processes/stack:f=1M" };
	static const char *const mixed_group[] = { "g=1G", "g/comm:a=1M", "g/stack:f=1M" };
	static const char *const nested[] = { "processes=1G", "processes/web=1G",
					      "processes/web/comm:nginx=1M" };
	static const char *const nested_mixed[] = { "processes=1G", "processes/web=1G",
						    "processes/web/stack:f=1M" };
	struct budget_node n[ARRAY_SIZE(specs)];
	char why[256];

	(void)state;
	assert_int_equal(build(specs, ARRAY_SIZE(specs), n, why), 0);
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++)
		assert_true(n[i].over_processes && !n[i].counts_objects);
	assert_true(!n[0].group && n[3].group && n[5].parent == 3);
	assert_int_equal(build(mixed_parent, 2, n, why), -EINVAL);
	assert_string_equal(why, "budget process: cannot mix budgets over processes (processes, "
			    "pid:, comm:, container:) with budgets of each process");
	assert_int_equal(build(mixed_child, 2, n, why), -EINVAL);
	assert_int_equal(build(mixed_group, 3, n, why), -EINVAL);
	/* a group under processes is over processes once its children say so */
	assert_int_equal(build(nested, 3, n, why), 0);
	assert_true(n[1].group && n[1].over_processes);
	assert_int_equal(build((const char *const[]){ "pid:12x=1M" }, 1, n, why), -EINVAL);
	assert_string_equal(why, "budget pid:12x: pid:N takes a process id");
	assert_int_equal(build(nested_mixed, 3, n, why), -EINVAL);
	assert_string_equal(why, "budget processes: cannot mix budgets over processes (processes, "
			    "pid:, comm:, container:) with budgets of each process");
}

/* --- the runner: events at each level ---------------------------------------------- */

struct recorded_events {
	struct output base;
	struct analysis_event events[16];
	int count;
};

static void record_event(struct output *out, const struct analysis_event *ev)
{
	struct recorded_events *rec = (struct recorded_events *)out;

	if (ev->type == EVENT_BUDGET && rec->count < 16)
		rec->events[rec->count++] = *ev;
}

static void ignore_report(struct output *out, const struct process_report *r)
{
	(void)out;
	(void)r;
}

struct runner_fixture {
	struct analysis_options opts;
	struct recorded_events rec;
	struct output *outputs[1];
	struct analysis_runner *a;
	struct analysis_process *p;
};

static void runner_start(struct runner_fixture *fx, const char *const *specs, int count)
{
	memset(fx, 0, sizeof(*fx));
	for (int i = 0; i < count; i++)
		assert_int_equal(parse_budget_spec(specs[i], &fx->opts.budgets[i]), 0);
	fx->opts.budget_count = count;
	fx->rec.base = (struct output){ .interval = ignore_report, .summary = ignore_report,
					.event = record_event };
	fx->outputs[0] = &fx->rec.base;
	fx->a = analysis_runner__new(&fx->opts, fx->outputs, 1);
	assert_non_null(fx->a);
	fx->p = analysis_process__new(fx->a, getpid());
	assert_non_null(fx->p);
}

static void runner_end(struct runner_fixture *fx)
{
	analysis_process__free(fx->p);
	analysis_runner__free(fx->a);
	for (int i = 0; i < fx->opts.budget_count; i++)
		free(fx->opts.budgets[i].name);
}

/* Two native stacks (innermost frames render and parse) with these live bytes. */
static void feed_stacks(struct runner_fixture *fx, double t, uint64_t rss, uint64_t render,
			uint64_t parse)
{
	char *render_frames[] = { "render", "main" }, *parse_frames[] = { "parse", "main" };
	struct stack_report stacks[2] = {
		{ .stack_id = 1, .live_bytes = render, .depth = 2, .frames = render_frames },
		{ .stack_id = 2, .live_bytes = parse, .depth = 2, .frames = parse_frames },
	};
	struct process_report r = {
		.pid = getpid(), .elapsed_ns = (uint64_t)(t * 1e9), .rss_bytes = rss,
		.native_traced = true, .stacks = stacks, .stack_count = 2,
	};

	analysis_runner__interval(fx->a, fx->p, &r);
}

static void test_child_over_while_parent_under(void **state)
{
	static const char *const specs[] = { "512M", "process/stack:render=100M",
					     "process/stack:parse=100M" };
	struct runner_fixture fx;
	const struct analysis_event *ev;

	(void)state;
	runner_start(&fx, specs, 3);
	feed_stacks(&fx, 1, 300 * MiB, 50 * MiB, 40 * MiB);
	assert_int_equal(fx.rec.count, 0);
	feed_stacks(&fx, 2, 300 * MiB, 120 * MiB, 40 * MiB);
	assert_int_equal(fx.rec.count, 1);
	ev = &fx.rec.events[0];
	assert_string_equal(ev->budget, "process/stack:render");
	assert_string_equal(ev->budget_parent, "process");
	assert_string_equal(ev->state, "exceeded");
	assert_true(ev->budget_level == 1 && !ev->budget_group && !ev->python_type);
	assert_true(ev->value == 120.0 * MiB && ev->excess == 20.0 * MiB);
	/* the parent measures RSS, not its children: over when RSS is */
	feed_stacks(&fx, 3, 600 * MiB, 50 * MiB, 40 * MiB);
	assert_int_equal(fx.rec.count, 3);
	assert_string_equal(fx.rec.events[1].budget, "process");
	assert_string_equal(fx.rec.events[1].state, "exceeded");
	assert_true(fx.rec.events[1].budget_level == 0 && !fx.rec.events[1].budget_parent[0]);
	assert_string_equal(fx.rec.events[2].budget, "process/stack:render");
	assert_string_equal(fx.rec.events[2].state, "recovered");
	runner_end(&fx);
}

static void test_group_over_from_children_under(void **state)
{
	static const char *const specs[] = { "native=128M", "native/stack:render=100M",
					     "native/stack:parse=100M" };
	struct runner_fixture fx;
	const struct analysis_event *ev;
	char text[256], expected[256];
	FILE *f;

	(void)state;
	runner_start(&fx, specs, 3);
	feed_stacks(&fx, 1, 300 * MiB, 60 * MiB, 60 * MiB);
	assert_int_equal(fx.rec.count, 0);
	/* 90 + 70 = 160 MiB: each child under its 100 MiB, the group over its 128 MiB */
	feed_stacks(&fx, 2, 300 * MiB, 90 * MiB, 70 * MiB);
	assert_int_equal(fx.rec.count, 1);
	ev = &fx.rec.events[0];
	assert_string_equal(ev->budget, "native");
	assert_true(ev->budget_group && ev->budget_level == 0 && !ev->python_type);
	assert_true(ev->value == 160.0 * MiB && ev->limit == 128.0 * MiB);
	f = fmemopen(text, sizeof(text), "w");
	assert_non_null(f);
	console_write_event(f, ev);
	fclose(f);
	snprintf(expected, sizeof(expected), "! 2.0s PID %d budget native (sum of its children) "
		 "exceeded: 160.0 MiB (limit 128.0 MiB, +32.0 MiB)\n", (int)getpid());
	assert_string_equal(text, expected);
	runner_end(&fx);
}

/* Python types: a group of two types over while each is under its own limit. */
static void test_type_group(void **state)
{
	static const char *const specs[] = { "containers=1000", "containers/list=600",
					     "containers/dict=600" };
	struct python_type_report types[] = {
		{ .name = "list", .has_live = true, .live = 550 },
		{ .name = "dict", .has_live = true, .live = 500 },
	};
	struct python_report py = { .mode = "census", .types = types, .type_count = 2 };
	struct process_report r = { .pid = getpid(), .elapsed_ns = 1000000000ull,
				    .rss_bytes = 10 * MiB, .python = &py };
	struct runner_fixture fx;

	(void)state;
	runner_start(&fx, specs, 3);
	analysis_runner__interval(fx.a, fx.p, &r);
	assert_int_equal(fx.rec.count, 1);
	assert_string_equal(fx.rec.events[0].budget, "containers");
	assert_true(fx.rec.events[0].python_type && fx.rec.events[0].budget_group);
	assert_true(fx.rec.events[0].value == 1050 && fx.rec.events[0].excess == 50);
	/* now a child over too, the group still over: only the child's event */
	types[0].live = 700;
	r.elapsed_ns = 2000000000ull;
	analysis_runner__interval(fx.a, fx.p, &r);
	assert_int_equal(fx.rec.count, 2);
	assert_string_equal(fx.rec.events[1].budget, "containers/list");
	assert_string_equal(fx.rec.events[1].budget_parent, "containers");
	assert_true(fx.rec.events[1].value == 700 && fx.rec.events[1].python_type);
	runner_end(&fx);
}

/* PIDs no process has (pid_max is at most 2^22): the system context reads nothing. */
#define FAKE_PID 4194390

static void feed_process(struct runner_fixture *fx, struct analysis_process *p, pid_t pid,
			 const char *comm, uint64_t rss)
{
	struct process_report r = { .pid = pid, .elapsed_ns = 1000000000ull, .rss_bytes = rss };

	snprintf(r.comm, sizeof(r.comm), "%s", comm);
	analysis_runner__interval(fx->a, p, &r);
}

/* Three processes: two workers and an nginx, each under every limit of its own. */
static void test_budgets_over_processes(void **state)
{
	static const char *const specs[] = { "web=100M", "web/comm:worker=80M",
					     "web/comm:nginx=80M", "pid:4194391=20M" };
	struct runner_fixture fx;
	struct analysis_process *more[2];
	const struct analysis_event *ev;

	(void)state;
	runner_start(&fx, specs, 4);
	analysis_runner__start(fx.a, 0);
	for (int i = 0; i < 2; i++) {
		more[i] = analysis_process__new(fx.a, FAKE_PID + 1 + i);
		assert_non_null(more[i]);
	}
	feed_process(&fx, fx.p, FAKE_PID, "worker", 30 * MiB);
	feed_process(&fx, more[0], FAKE_PID + 1, "worker", 10 * MiB);
	feed_process(&fx, more[1], FAKE_PID + 2, "nginx", 50 * MiB);
	analysis_runner__poll_done(fx.a, 1000000000ull);
	/* 40 + 50 = 90 MiB: the group under 100, every child under 80 */
	assert_int_equal(fx.rec.count, 0);
	feed_process(&fx, more[0], FAKE_PID + 1, "worker", 30 * MiB);
	analysis_runner__poll_done(fx.a, 2000000000ull);
	/* 60 + 50 = 110 MiB: the group over while each child is under; the pid: budget too */
	assert_int_equal(fx.rec.count, 2);
	ev = &fx.rec.events[0];
	assert_string_equal(ev->budget, "web");
	assert_true(ev->pid == 0 && ev->budget_group && ev->value == 110.0 * MiB);
	assert_true(ev->elapsed_ns == 2000000000ull);
	ev = &fx.rec.events[1];
	assert_string_equal(ev->budget, "pid:4194391");
	assert_true(ev->value == 30.0 * MiB && ev->budget_level == 0);
	/* the first worker grows: 90 MiB of workers */
	feed_process(&fx, fx.p, FAKE_PID, "worker", 60 * MiB);
	analysis_runner__poll_done(fx.a, 3000000000ull);
	assert_int_equal(fx.rec.count, 3);
	assert_string_equal(fx.rec.events[2].budget, "web/comm:worker");
	assert_true(fx.rec.events[2].value == 90.0 * MiB);
	/* the second one exits: its memory leaves the workers' sum (a recovery), while its own
	 * pid: budget has no value any more (no recovery, as for a process's own budgets) */
	analysis_process__free(more[0]);
	analysis_runner__poll_done(fx.a, 4000000000ull);
	assert_int_equal(fx.rec.count, 4);
	assert_string_equal(fx.rec.events[3].budget, "web/comm:worker");
	assert_string_equal(fx.rec.events[3].state, "recovered");
	assert_true(fx.rec.events[3].value == 60.0 * MiB);
	/* 60 + 50 = 110 MiB: still over until the first worker shrinks */
	feed_process(&fx, fx.p, FAKE_PID, "worker", 40 * MiB);
	analysis_runner__poll_done(fx.a, 5000000000ull);
	assert_int_equal(fx.rec.count, 5);
	assert_string_equal(fx.rec.events[4].budget, "web");
	assert_string_equal(fx.rec.events[4].state, "recovered");
	assert_true(fx.rec.events[4].value == 90.0 * MiB && fx.rec.events[4].peak == 140.0 * MiB);
	analysis_process__free(more[1]);
	runner_end(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_parents_groups_and_units),
		cmocka_unit_test(test_tree_rejects),
		cmocka_unit_test(test_sum_groups),
		cmocka_unit_test(test_tree_over_processes),
		cmocka_unit_test(test_child_over_while_parent_under),
		cmocka_unit_test(test_group_over_from_children_under),
		cmocka_unit_test(test_type_group),
		cmocka_unit_test(test_budgets_over_processes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
