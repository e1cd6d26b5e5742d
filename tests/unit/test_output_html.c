/* --html from synthetic reports: the page is whole (every SVG closed, the script inline,
 * nothing fetched), names are escaped, the flame graph adds stacks up by frame (Python
 * frames above the native ones), and the tables, frames and heatmap carry their figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/analysis_events.h"
#include "model/frame_report.h"
#include "output/html/html.h"
#include "output/output.h"

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long size;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 1);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	return text;
}

static size_t count(const char *text, const char *what)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void flame_adds_stacks_up_by_frame(void **state)
{
	struct flame_node root = { 0 };
	const char *a[] = { "main", "outer", "leak" }, *b[] = { "main", "outer", "other" };
	const char *c[] = { "main", "churn" };
	const bool native[] = { false, false, false };

	(void)state;
	assert_int_equal(flame__add(&root, a, native, 3, 1000), 0);
	assert_int_equal(flame__add(&root, b, native, 3, 500), 0);
	assert_int_equal(flame__add(&root, c, native, 2, 24), 0);
	assert_int_equal(root.bytes, 1524);
	assert_int_equal(root.child_count, 1);
	assert_string_equal(root.children[0].name, "main");
	assert_int_equal(root.children[0].child_count, 2);
	assert_int_equal(root.children[0].children[0].bytes, 1500);
	assert_int_equal(root.children[0].children[0].child_count, 2);
	assert_int_equal(root.children[0].children[1].bytes, 24);
	flame__free(&root);
}

static char *frames_leak[] = { "cache_entity+0x15 (game)", "main+0x20 (game)" };
static struct stack_frame parts_leak[] = {
	{ 0x1115, "cache_entity", "/usr/bin/game", 0x1000, 0x9000, 0x1000 },
	{ 0x1520, "main", "/usr/bin/game", 0x1000, 0x9000, 0x1000 },
};
static char *frames_odd[] = { "<script>alert(1)</script>" };
static struct python_frame py_frames[] = { { "App.handle", "/srv/app.py", 12 } };

static void write_page(const char *path)
{
	struct output *html = html_output__new(path);
	struct python_type_report types[] = {
		{ .name = "Session", .has_live = true, .live = 10 },
		{ .name = "dict", .has_live = true, .live = 50 },
	};
	struct python_gc_event gc = { .generation = 2, .start_ns = 1000000 + 700000000ull };
	struct python_report py = { .version = "3.12.1", .mode = "census", .types = types,
				    .type_count = 2, .objects_known = true, .objects = 60,
				    .gc_events = &gc, .gc_event_count = 1 };
	struct process_report r = { .pid = 42, .native_traced = true, .attach_ns = 1000000,
				    .rss_bytes = 8 << 20, .python = &py };
	struct analysis_event spike = { .type = EVENT_SPIKE, .pid = 42, .elapsed_ns = 900000000,
					.in_frame = true, .seq = 41, .bytes = 1 << 20,
					.baseline_bytes = 10000, .ratio = 96 };
	struct analysis_event leak = { .type = EVENT_LEAK, .pid = 42, .elapsed_ns = 1500000000,
				       .stack = frames_leak, .depth = 2,
				       .severity = LEAK_SEVERITY_HIGH, .growth_per_s = 51200,
				       .live = 76800 };
	struct stack_report stacks[] = {
		{ .live_bytes = 76800, .live_allocs = 150, .depth = 2, .frames = frames_leak,
		  .parts = parts_leak, .python = { py_frames, 1, false } },
		{ .live_bytes = 100, .live_allocs = 1, .depth = 1, .frames = frames_odd },
		{ .live_bytes = 0, .allocs = 9, .depth = 1, .frames = frames_odd },
	};
	struct analysis_summary analysis = { .spikes = &spike, .spike_count = 1,
					     .leaks = &leak, .leak_count = 1 };

	assert_non_null(html);
	snprintf(r.comm, sizeof(r.comm), "game");
	snprintf(spike.top, sizeof(spike.top), "update_world+0x74 (game)");
	snprintf(leak.name, sizeof(leak.name), "cache_entity+0x15 (game)");
	for (int i = 1; i <= 4; i++) {
		r.elapsed_ns = i * 500000000ull;
		r.native.bytes_allocated = i * 19200ull;
		types[0].live = 10 * (uint64_t)i;
		/* interval 3's census lacks Session; dict stays at 50 throughout */
		py.types = i == 3 ? &types[1] : types;
		py.type_count = i == 3 ? 1 : 2;
		py.gc_event_count = i == 2;
		output__interval(html, &r);
	}
	for (uint64_t seq = 1; seq <= 60; seq++) {
		struct frame_report f = { .pid = 42, .seq = seq, .native_known = true,
					  .start_ns = 1000000 + seq * 16000000,
					  .end_ns = 1000000 + seq * 16000000 + 10000000,
					  .bytes_allocated = seq == 41 ? 1 << 20 : 11000,
					  .dropped = seq == 41 };
		output__frame(html, &f);
	}
	output__event(html, &spike);
	output__event(html, &leak);
	r.stacks = stacks;
	r.stack_count = 3;
	r.analysis = &analysis;
	r.exited = true;
	output__summary(html, &r);
	output__destroy(html);
}

static void page_is_whole_and_carries_the_figures(void **state)
{
	char path[] = "/tmp/test_output_html.XXXXXX";
	int fd = mkstemp(path);
	char *page;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_page(path);
	page = read_all(path);
	unlink(path);
	assert_non_null(strstr(page, "<!DOCTYPE html>"));
	assert_non_null(strstr(page, "</html>\n"));
	assert_int_equal(count(page, "<svg"), count(page, "</svg>"));
	/* timeline: RSS, live bytes, objects; frames: duration and bytes */
	assert_int_equal(count(page, "<svg class=\"chart\""), 5);
	assert_int_equal(count(page, "<svg class=\"heatmap\""), 1);
	assert_int_equal(count(page, "<svg class=\"flame\""), 1);
	assert_int_equal(count(page, "<script>"), 1);
	assert_null(strstr(page, "src="));
	assert_null(strstr(page, "href="));
	assert_null(strstr(page, "http"));
	/* escaped, never markup */
	assert_null(strstr(page, "<script>alert"));
	assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	/* the flame graph: the root, the Python frame above main, cache_entity under it; the
	 * stack with nothing live left out */
	assert_non_null(strstr(page, "<title>game — 75.1 KiB, 76900 bytes (100.00%)</title>"));
	assert_non_null(strstr(page, "<title>App.handle (app.py:12) — 75.0 KiB, 76800 bytes (99.87%)</title>"));
	assert_non_null(strstr(page, "<title>cache_entity — 75.0 KiB, 76800 bytes (99.87%)</title>"));
	assert_non_null(strstr(page, "class=\"fn py\" data-x=\"0.0000000\" data-w=\"0.9986996\" "
			       "data-d=\"1\""));
	assert_non_null(strstr(page, "class=\"fn native\" data-x=\"0.0000000\" data-w=\"0.9986996\" "
			       "data-d=\"3\""));
	assert_int_equal(count(page, "<g class=\"fn"), 5);
	/* tables */
	assert_non_null(strstr(page, "<td>native stack</td><td>cache_entity+0x15 (game)</td>"
			       "<td>high</td><td>50.0 KiB</td><td>75.0 KiB</td>"));
	assert_non_null(strstr(page, "<td>0.900</td><td>frame 41</td><td>1.0 MiB</td>"));
	/* frames: 60, the dropped one marked; the spike labelled; the drop on the timeline */
	assert_non_null(strstr(page, "60 frames, 1 dropped"));
	assert_int_equal(count(page, "<rect class=\"bar dropped\""), 2);
	assert_non_null(strstr(page, "spike: frame 41</text>"));
	assert_int_equal(count(page, "<title>frame 41 dropped (10.000 ms)</title>"), 3);
	/* marks on each of the 3 timeline charts: the spike, the leak, the collection */
	assert_int_equal(count(page, "<line class=\"mark spike\""), 3);
	assert_int_equal(count(page, "<line class=\"mark leak\""), 3);
	assert_int_equal(count(page, "<line class=\"mark gc\""), 3);
	assert_non_null(strstr(page, "<title>0.700 s: 1 GC run (generation 0: 0, 1: 0, 2: 1)"
			       "</title>"));
	/* heatmap: dict first (most live at its peak), a cell per type and interval where the
	 * census had it: dict's unchanged count in each, no Session cell at 1.5 s */
	assert_true(strstr(page, ">dict</text>") < strstr(page, ">Session</text>"));
	assert_non_null(strstr(page, "<title>Session at 1.0 s: 20 live</title>"));
	assert_null(strstr(page, "<title>Session at 1.5 s"));
	assert_non_null(strstr(page, "<title>Session at 2.0 s: 40 live</title>"));
	assert_int_equal(count(page, "<title>dict at "), 4);
	assert_non_null(strstr(page, "<title>dict at 1.5 s: 50 live</title>"));
	assert_int_equal(count(page, " live</title></rect>"), 7);
	free(page);
}

/* Hours of intervals: the heatmap keeps 300 columns (the last one the latest count), the
 * charts drop their dots, each kind of mark is at most one per pixel. */
static void long_runs_stay_small(void **state)
{
	char path[] = "/tmp/test_output_html.XXXXXX";
	int fd = mkstemp(path);
	struct output *html;
	struct python_type_report type = { .name = "Session", .has_live = true };
	struct python_gc_event gc[5] = { 0 };
	struct python_report py = { .version = "3.12.1", .mode = "census", .types = &type,
				    .type_count = 1, .gc_events = gc, .gc_event_count = 5 };
	struct process_report r = { .pid = 42, .native_traced = true, .python = &py };
	char *page;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	html = html_output__new(path);
	assert_non_null(html);
	for (int i = 1; i <= 3000; i++) {
		r.elapsed_ns = i * 100000000ull;
		type.live = (uint64_t)i;
		for (int g = 0; g < 5; g++)
			gc[g].start_ns = r.elapsed_ns + g;
		output__interval(html, &r);
	}
	output__destroy(html);
	page = read_all(path);
	unlink(path);
	assert_int_equal(count(page, "<title>Session at "), 300);
	assert_non_null(strstr(page, "<title>Session at 300.0 s: 3000 live</title>"));
	assert_int_equal(count(page, "<circle"), 0);
	/* the live bytes chart alone (no RSS, no object count): a GC mark per pixel of its 911 */
	assert_in_range(count(page, "<line class=\"mark gc\""), 800, 911);
	assert_non_null(strstr(page, "s: 5 GC runs (generation 0: 5, 1: 0, 2: 0)</title>"));
	free(page);
}

static void no_process_is_still_a_page(void **state)
{
	char path[] = "/tmp/test_output_html.XXXXXX";
	int fd = mkstemp(path);
	char *page;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	output__destroy(html_output__new(path));
	page = read_all(path);
	unlink(path);
	assert_non_null(strstr(page, "No process was reported."));
	assert_non_null(strstr(page, "</html>"));
	free(page);
}

static void unwritable_path_fails(void **state)
{
	(void)state;
	assert_null(html_output__new("/nonexistent-dir/report.html"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flame_adds_stacks_up_by_frame),
		cmocka_unit_test(page_is_whole_and_carries_the_figures),
		cmocka_unit_test(long_runs_stay_small),
		cmocka_unit_test(no_process_is_still_a_page),
		cmocka_unit_test(unwritable_path_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
