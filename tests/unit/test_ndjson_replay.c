/* memtrace-bpf report's reader (report/ndjson_replay.c): synthetic reports written by the JSON
 * output, read back and written again give the same lines; the reports it rebuilds carry
 * the cumulative counts, the collections, frames, events and stacks in parts; bad input is
 * told apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/analysis_events.h"
#include "model/frame_report.h"
#include "output/output.h"
#include "report/ndjson_replay.h"

static struct python_frame py_frames[] = {
	{ "App.handle", "/srv/app.py", 12 }, { "<module>", "/srv/main.py", -1 },
};
static struct python_type_report types[] = {
	{ .name = "Session", .has_live = true, .live = 30, .live_bytes = 1440, .peak_live = 30 },
	{ .name = "dict", .has_live = true, .live = 7, .live_bytes = 1600, .peak_live = 9 },
};

static struct python_report python_of(struct python_gc_event *gc, size_t gc_count)
{
	return (struct python_report){
		.version = "3.12.1", .mode = "census", .types = types, .type_count = 2,
		.gc_known = true, .gc_collections = { 3, 1, 0 }, .gc_counts_known = true,
		.gc_collected = 5, .gc_time_known = true, .gc_time_ns = 12345,
		.gc_events = gc, .gc_event_count = gc_count, .objects_known = true,
		.objects = 37, .object_bytes = 3040, .objects_peak = 40,
	};
}

static struct process_report interval(uint64_t elapsed, uint64_t allocs, uint64_t bytes,
				      const struct python_report *py)
{
	struct process_report r = {
		.pid = 42, .native_traced = true, .elapsed_ns = elapsed, .attach_ns = 1000000,
		.interval_ns = 500000000, .rss_bytes = 4 << 20, .python = py,
	};

	snprintf(r.comm, sizeof(r.comm), "prog");
	r.native_delta.allocs = allocs;
	r.native_delta.bytes_allocated = bytes;
	r.native_delta.frees = allocs / 2;
	r.native_delta.bytes_freed = bytes / 2;
	r.native_delta.size_hist[10] = allocs;
	r.mmap_delta.mmaps = 2;
	r.mmap_delta.brk_growth = -4096;
	return r;
}

static char *frames_a[] = { "leak+0x10 (prog)", "main+0x20 (prog)" };
static struct stack_frame parts_a[] = {
	{ 0x1110, "leak", "/usr/bin/prog", 0x1000, 0x9000, 0x1000 },
	{ 0x1520, "main", "/usr/bin/prog", 0x1000, 0x9000, 0x1000 },
};
static char *frames_b[] = { "0x7f00" };
static struct stack_frame parts_b[] = { { 0x7f00, NULL, NULL, 0, 0, 0 } };

/* The run's lines, as the live session writes them: two intervals (the first with a
 * collection), a frame, a spike, the summary with its stacks, a leak and a budget. */
static void write_run(struct output *json)
{
	struct python_gc_event gc = { .generation = 0, .start_ns = 1500000, .duration_ns = 900,
				      .collected = 4, .uncollectable = -1,
				      .trigger = { py_frames, 2, false } };
	struct python_report py1 = python_of(&gc, 1), py2 = python_of(NULL, 0);
	struct process_report r1 = interval(500000000, 10, 10000, &py1);
	struct process_report r2 = interval(1000000000, 6, 3000, &py2);
	struct frame_report f = { .pid = 42, .seq = 7, .start_ns = 2000000, .end_ns = 19000000,
				  .native_known = true, .allocs = 3, .bytes_allocated = 70000,
				  .dropped = true, .fps = 58.5, .stage_count = 1 };
	struct analysis_event spike = { .type = EVENT_SPIKE, .pid = 42, .elapsed_ns = 700000000,
					.in_frame = true, .seq = 7, .bytes = 70000,
					.baseline_bytes = 1000, .ratio = 70, .mads = 12 };
	struct analysis_event leak = { .type = EVENT_LEAK, .pid = 42, .elapsed_ns = 900000000,
				       .stack = frames_a, .depth = 2, .severity = LEAK_SEVERITY_HIGH,
				       .growth_per_s = 6500, .live = 6500, .samples = 2 };
	struct analysis_event budget = { .type = EVENT_BUDGET, .pid = 42, .state = "over",
					 .value = 2e6, .limit = 1e6, .excess = 1e6, .peak = 2e6 };
	struct python_stack py_stack = { py_frames, 2, true };
	struct stack_report stacks[] = {
		{ .stack_id = 3, .live_allocs = 5, .live_bytes = 6000, .allocs = 14,
		  .bytes_allocated = 12000, .depth = 2, .frames = frames_a, .parts = parts_a,
		  .python = py_stack },
		{ .stack_id = 9, .live_allocs = 1, .live_bytes = 500, .allocs = 2,
		  .bytes_allocated = 1000, .depth = 1, .frames = frames_b, .parts = parts_b },
	};
	struct analysis_summary analysis = { .spikes = &spike, .spike_count = 1, .spikes_total = 1,
					     .leaks = &leak, .leak_count = 1, .budgets = &budget,
					     .budget_count = 1 };
	struct process_report summary = interval(1200000000, 0, 0, &py2);

	/* Cumulative counts: the deltas so far (as the session keeps them). */
	r1.native = r1.native_delta;
	r1.mmap = r1.mmap_delta;
	r2.native = r1.native;
	r2.native.allocs += r2.native_delta.allocs;
	r2.native.frees += r2.native_delta.frees;
	r2.native.bytes_allocated += r2.native_delta.bytes_allocated;
	r2.native.bytes_freed += r2.native_delta.bytes_freed;
	r2.native.size_hist[10] += r2.native_delta.size_hist[10];
	r2.mmap.mmaps = 4;
	r2.mmap.brk_growth = -8192;
	f.stages[0] = (struct frame_stage_report){ "update", 2, 1, 60000, 100, 5000000, 1 };
	snprintf(leak.name, sizeof(leak.name), "leak+0x10 (prog)");
	snprintf(budget.budget, sizeof(budget.budget), "live_bytes");
	output__interval(json, &r1);
	output__frame(json, &f);
	output__event(json, &spike);
	output__interval(json, &r2);
	output__event(json, &leak);
	summary.native = r2.native;
	summary.mmap = r2.mmap;
	summary.exited = true;
	summary.peak = (struct native_peak){ 6500, 6, 1000000000 };
	summary.stacks = stacks;
	summary.stack_count = 2;
	summary.analysis = &analysis;
	output__summary(json, &summary);
}

static char *run_text(size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	struct output *json = json_output__new(f, false, JSON_TYPES_ALL, true);

	write_run(json);
	output__destroy(json);
	fclose(f);
	return text;
}

static void replayed_run_writes_the_same_lines(void **state)
{
	size_t len, again_len;
	char *text = run_text(&len), *again = NULL;
	FILE *in = fmemopen(text, len, "r"), *out = open_memstream(&again, &again_len);
	struct output *json = json_output__new(out, false, JSON_TYPES_ALL, true);
	struct replay_stats stats;

	(void)state;
	assert_int_equal(ndjson_replay(in, &json, 1, &stats), REPLAY_OK);
	output__destroy(json);
	fclose(out);
	fclose(in);
	assert_int_equal(stats.intervals, 2);
	assert_int_equal(stats.summaries, 1);
	assert_int_equal(stats.frames, 1);
	assert_int_equal(stats.events, 2);
	assert_int_equal(stats.gc_runs, 1);
	assert_int_equal(stats.stacks_without_parts, 0);
	if (strcmp(again, text))
		fprintf(stderr, "written:\n%s\nreplayed:\n%s\n", text, again);
	assert_string_equal(again, text);
	free(text);
	free(again);
}

/* An output that keeps what it is given. */
struct capture {
	struct output base;
	struct process_report intervals[4];
	size_t interval_count;
	uint64_t gc_start[4];
	size_t gc_count;
	struct frame_report frame;
	struct analysis_event events[4];
	size_t event_count;
	uint64_t live_by_stack[4];
	char function[64], module[64], python[160];
	int python_line, leak_severity;
};

static void capture_interval(struct output *out, const struct process_report *r)
{
	struct capture *c = (struct capture *)out;

	c->intervals[c->interval_count++] = *r;
	for (size_t i = 0; r->python && i < r->python->gc_event_count; i++)
		c->gc_start[c->gc_count++] = r->python->gc_events[i].start_ns;
}

static void capture_summary(struct output *out, const struct process_report *r)
{
	struct capture *c = (struct capture *)out;

	for (size_t i = 0; i < r->stack_count && i < 4; i++)
		c->live_by_stack[i] = r->stacks[i].live_bytes;
	snprintf(c->function, sizeof(c->function), "%s", r->stacks[0].parts[1].function);
	snprintf(c->module, sizeof(c->module), "%s", r->stacks[0].parts[1].module);
	snprintf(c->python, sizeof(c->python), "%s", r->stacks[0].python.frames[0].function);
	c->python_line = r->stacks[0].python.frames[0].line;
	c->leak_severity = r->analysis->leaks[0].severity;
}

static void capture_frame(struct output *out, const struct frame_report *f)
{
	((struct capture *)out)->frame = *f;
}

static void capture_event(struct output *out, const struct analysis_event *e)
{
	struct capture *c = (struct capture *)out;

	c->events[c->event_count++] = *e;
}

static void capture_destroy(struct output *out)
{
	(void)out;
}

static void replay_rebuilds_the_reports(void **state)
{
	size_t len;
	char *text = run_text(&len);
	FILE *in = fmemopen(text, len, "r");
	struct capture c = { .base = { .interval = capture_interval, .summary = capture_summary,
				       .destroy = capture_destroy, .frame = capture_frame,
				       .event = capture_event } };
	struct output *out = &c.base;
	struct replay_stats stats;

	(void)state;
	assert_int_equal(ndjson_replay(in, &out, 1, &stats), REPLAY_OK);
	fclose(in);
	assert_int_equal(c.interval_count, 2);
	/* The second interval's cumulative counts: both lines' deltas. */
	assert_int_equal(c.intervals[1].native.allocs, 16);
	assert_int_equal(c.intervals[1].native.bytes_allocated, 13000);
	assert_int_equal(c.intervals[1].native.size_hist[10], 16);
	assert_int_equal(c.intervals[1].native_delta.allocs, 6);
	assert_int_equal(c.intervals[1].mmap.brk_growth, -8192);
	assert_int_equal(c.intervals[1].attach_ns, 1000000);
	/* The collection joined the first interval only. */
	assert_int_equal(c.gc_count, 1);
	assert_int_equal(c.gc_start[0], 1500000);
	assert_int_equal(c.frame.seq, 7);
	assert_int_equal(c.frame.end_ns, 19000000);
	assert_true(c.frame.dropped);
	assert_int_equal(c.event_count, 2);
	assert_true(c.events[0].type == EVENT_SPIKE && c.events[0].in_frame);
	assert_int_equal(c.events[0].seq, 7);
	assert_true(c.events[1].type == EVENT_LEAK);
	assert_int_equal(c.live_by_stack[0], 6000);
	assert_int_equal(c.live_by_stack[1], 500);
	assert_string_equal(c.function, "main");
	assert_string_equal(c.module, "/usr/bin/prog");
	assert_string_equal(c.python, "App.handle");
	assert_int_equal(c.python_line, 12);
	assert_int_equal(c.leak_severity, LEAK_SEVERITY_HIGH);
	free(text);
}

static enum replay_result replay_text(const char *text, struct replay_stats *stats)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	enum replay_result result;

	assert_non_null(in);
	result = ndjson_replay(in, NULL, 0, stats);
	fclose(in);
	return result;
}

static void bad_input_is_told_apart(void **state)
{
	struct replay_stats stats;

	(void)state;
	assert_int_equal(replay_text("{\"type\":\"interval\",\"pid\":1}\nnot json\n", &stats),
			 REPLAY_NOT_NDJSON);
	assert_int_equal(stats.bad_line, 2);
	assert_int_equal(replay_text("[1, 2]\n", &stats), REPLAY_NOT_NDJSON);
	assert_int_equal(replay_text("{\"pid\":1}\n", &stats), REPLAY_NOT_NDJSON);
	assert_int_equal(replay_text("{\"type\":\"interval\",\"pid\":1}\n", &stats),
			 REPLAY_NO_SUMMARY);
	assert_int_equal(replay_text("", &stats), REPLAY_NO_SUMMARY);
	/* Blank lines and lines of other types are passed over. */
	assert_int_equal(replay_text("\n{\"type\":\"future\"}\n{\"type\":\"summary\",\"pid\":1}\n",
				     &stats), REPLAY_OK);
	assert_int_equal(stats.summaries, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replayed_run_writes_the_same_lines),
		cmocka_unit_test(replay_rebuilds_the_reports),
		cmocka_unit_test(bad_input_is_told_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
