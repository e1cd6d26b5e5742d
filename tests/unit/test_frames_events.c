/* Pure parts of frames and alerts: FPS and dropped frames, the --on-event rate limit,
 * --baseline files, SYMBOL:LIB splitting. */
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

#include "analysis/baseline.h"
#include "analysis/event_rate.h"
#include "analysis/frame_stats.h"
#include "cli/analysis_cli.h"

#define MS 1000000ull

static bool add(struct frame_stats *s, uint64_t start_ns, uint64_t end_ns, uint64_t allocs,
		uint64_t bytes_allocated, double *fps)
{
	struct frame_report f = { .start_ns = start_ns, .end_ns = end_ns, .allocs = allocs,
				  .bytes_allocated = bytes_allocated, .tracer_known = true };

	return frame_stats__add(s, &f, fps);
}

static void test_fps_over_window(void **state)
{
	struct frame_stats s;
	double fps = -1;

	(void)state;
	frame_stats__init(&s, 0);
	add(&s, 0, 10 * MS, 1, 100, &fps);
	assert_true(fps == 0);             /* one frame: no rate yet */
	for (uint64_t i = 1; i < 200; i++)
		add(&s, i * 10 * MS, (i + 1) * 10 * MS, 1, 100, &fps);
	assert_true(fps > 99.99 && fps < 100.01);
	/* The window follows a change of pace: 60 frames of 20 ms give 50 FPS. */
	for (uint64_t i = 0; i < FRAME_STATS_WINDOW; i++)
		add(&s, 2000 * MS + i * 20 * MS, 2000 * MS + (i + 1) * 20 * MS, 1, 100,
				 &fps);
	assert_true(fps > 49.99 && fps < 50.01);
	assert_int_equal(s.frames, 200 + FRAME_STATS_WINDOW);
	assert_int_equal(s.dropped.frames, 0);   /* no target: nothing dropped */
}

static void test_dropped_frames_and_memory(void **state)
{
	struct frame_stats s;
	uint64_t t = 0;

	(void)state;
	frame_stats__init(&s, 60);               /* budget 16.7 ms, dropped above 25 ms */
	assert_false(frame_stats__is_dropped(&s, 25 * MS));
	assert_true(frame_stats__is_dropped(&s, 26 * MS));
	for (int i = 0; i < 10; i++) {
		bool slow = i % 5 == 4;
		uint64_t d = slow ? 40 * MS : 16 * MS;

		assert_int_equal(add(&s, t, t + d, slow ? 50 : 5, slow ? 5000 : 500, NULL),
				 slow);
		t += d;
	}
	frame_stats__add_gc(&s, true);
	frame_stats__add_gc(&s, false);
	frame_stats__add_gc(&s, true);
	assert_int_equal(s.dropped.frames, 2);
	assert_int_equal(s.normal.frames, 8);
	assert_int_equal(s.dropped.bytes_allocated, 10000);
	assert_int_equal(s.normal.bytes_allocated, 4000);
	assert_int_equal(s.dropped.allocs, 100);
	assert_int_equal(s.dropped.gc_runs, 2);
	assert_int_equal(s.normal.gc_runs, 1);
	assert_int_equal(s.duration_max_ns, 40 * MS);
}

static void test_event_rate_limit(void **state)
{
	struct event_rate r;
	uint64_t t = 1000 * MS;
	int allowed = 0;

	(void)state;
	event_rate__init(&r, 2, 5);
	for (int i = 0; i < 20; i++)              /* a burst at one instant: 5 pass */
		allowed += event_rate__allow(&r, t);
	assert_int_equal(allowed, 5);
	assert_int_equal(r.suppressed, 15);
	assert_false(event_rate__allow(&r, t + 400 * MS));   /* 0.8 tokens back */
	assert_true(event_rate__allow(&r, t + 600 * MS));    /* 1.2 */
	/* Ten seconds later the bucket is full again, never fuller. */
	allowed = 0;
	for (int i = 0; i < 20; i++)
		allowed += event_rate__allow(&r, t + 10000 * MS);
	assert_int_equal(allowed, 5);
	/* A steady 10/s stream for 10 s after a refill: the burst of 5, then 2/s. */
	allowed = 0;
	for (int i = 1; i <= 100; i++)
		allowed += event_rate__allow(&r, t + 20000 * MS + i * 100 * MS);
	assert_in_range(allowed, 23, 25);
}

static double metric(const struct metric_set *m, const char *name)
{
	for (size_t i = 0; i < m->count; i++)
		if (!strcmp(m->items[i].name, name))
			return m->items[i].value;
	return -1;
}

static void test_baseline_line(void **state)
{
	struct metric_set m;

	(void)state;
	assert_int_equal(baseline__parse_line(
		"{\"type\":\"summary\",\"pid\":7,\"elapsed_ns\":10000000000,\"rss_bytes\":5000000,"
		"\"native\":{\"allocs\":9,\"live_bytes\":4096,\"live_allocs\":3},"
		"\"system\":{\"pss_bytes\":4000000},"
		"\"python\":{\"types\":[{\"name\":\"dict\",\"live\":120},{\"name\":\"X\",\"live\":null}],"
		"\"gc\":{\"collections\":[10,5,5]}}}", &m), 0);
	assert_true(metric(&m, "rss_bytes") == 5000000);
	assert_true(metric(&m, "pss_bytes") == 4000000);
	assert_true(metric(&m, "live_bytes") == 4096);
	assert_true(metric(&m, "live_allocs") == 3);
	assert_true(metric(&m, "type:dict") == 120);
	assert_true(metric(&m, "type:X") == -1);     /* null: not counted in that run */
	assert_true(metric(&m, "gc_per_s") == 2);    /* 20 runs in 10 s */
	metric_set__free(&m);
	assert_int_equal(baseline__parse_line("{\"type\":\"interval\"}", &m), -EINVAL);
	assert_int_equal(baseline__parse_line("not json", &m), -EINVAL);
}

static void test_baseline_file(void **state)
{
	char path[] = "/tmp/memtrace-baseline-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct metric_set m;

	(void)state;
	assert_non_null(f);
	fputs("{\"type\":\"interval\",\"pid\":1,\"native\":{\"live_bytes\":1}}\n", f);
	fputs("{\"type\":\"summary\",\"pid\":1,\"native\":{\"live_bytes\":100,\"live_allocs\":1}}\n", f);
	fputs("{\"type\":\"summary\",\"pid\":2,\"native\":{\"live_bytes\":200,\"live_allocs\":2}}\n", f);
	fputs("{\"type\":\"summary\",\"pid\":1,\"native\":{\"live_bytes\":300,\"live_allocs\":3}}\n", f);
	fclose(f);
	assert_int_equal(baseline__load(path, &m), 0);
	assert_true(metric(&m, "live_bytes") == 300);   /* the first pid's last summary */
	metric_set__free(&m);
	f = fopen(path, "w");
	fputs("{\"type\":\"interval\",\"pid\":1}\n", f);
	fclose(f);
	assert_int_equal(baseline__load(path, &m), -ENOENT);
	unlink(path);
	assert_int_equal(baseline__load("/nonexistent/baseline.ndjson", &m), -ENOENT);
}

static void test_split_symbol_lib(void **state)
{
	const char *lib;
	char *name;

	(void)state;
	name = split_symbol_lib("render_frame", &lib);
	assert_string_equal(name, "render_frame");
	assert_null(lib);
	free(name);
	name = split_symbol_lib("clock_nanosleep:libc", &lib);
	assert_string_equal(name, "clock_nanosleep");
	assert_string_equal(lib, "libc");
	free(name);
	name = split_symbol_lib("cv::VideoCapture::read", &lib);
	assert_string_equal(name, "cv::VideoCapture::read");
	assert_null(lib);
	free(name);
	name = split_symbol_lib("cv::VideoCapture::read:libopencv_videoio", &lib);
	assert_string_equal(name, "cv::VideoCapture::read");
	assert_string_equal(lib, "libopencv_videoio");
	free(name);
}

/* A fixed-step loop at 50 FPS (20 ms): one late frame (44 ms), then a catch-up frame that
 * skips its sleep (0.5 ms), then one that sleeps the rest of its slot (15.5 ms). The program
 * counts one drop; so must we, whether the catch-up frame is seen (--frame at the present)
 * or merged into the late one (--frame at the sleep it skipped). */
static void test_late_frame_and_its_catch_up_are_one_drop(void **state)
{
	static const double seen[] = { 20, 20, 44, 0.5, 15.5, 20, 20 };
	static const double merged[] = { 20, 20, 44.5, 15.5, 20, 20 };
	const double *runs[] = { seen, merged };
	size_t lengths[] = { 7, 6 };

	(void)state;
	for (int r = 0; r < 2; r++) {
		struct frame_stats s;
		uint64_t t = 1000 * MS;

		frame_stats__init(&s, 50);
		for (size_t i = 0; i < lengths[r]; i++) {
			uint64_t d = (uint64_t)(runs[r][i] * MS);

			add(&s, t, t + d, 1, 64, NULL);
			t += d;
		}
		assert_int_equal(s.dropped.frames, 1);
	}
}

/* The probes' time is not the program's: a frame dropped only by what they added is not. */
static void test_tracer_time_kept_out_of_the_verdict(void **state)
{
	struct frame_report f = { .start_ns = 1000 * MS, .end_ns = 1040 * MS, .tracer_known = true };
	struct frame_stats s;

	(void)state;
	frame_stats__init(&s, 60);               /* dropped above 25 ms */
	f.tracer_ns = 20 * MS;                   /* 40 - 20 = 20 ms: on time */
	assert_false(frame_stats__add(&s, &f, NULL));
	f.tracer_ns = 10 * MS;                   /* 40 - 10 = 30 ms: late */
	assert_true(frame_stats__add(&s, &f, NULL));
	f.tracer_known = false;                  /* unknown: the whole 40 ms */
	f.tracer_ns = 0;
	assert_true(frame_stats__add(&s, &f, NULL));
	assert_int_equal(s.dropped.frames, 2);
	assert_int_equal(s.duration_max_ns, 40 * MS);   /* durations stay as lived */
	assert_int_equal(s.tracer_sum_ns, 30 * MS);
	assert_int_equal(s.tracer_max_ns, 20 * MS);
	assert_true(s.tracer_unknown);
	/* The first frame began at attach: its length says nothing of the program's pace. */
	f = (struct frame_report){ .start_ns = 0, .end_ns = 5000 * MS, .from_attach = true,
				   .tracer_known = true };
	assert_false(frame_stats__add(&s, &f, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fps_over_window),
		cmocka_unit_test(test_dropped_frames_and_memory),
		cmocka_unit_test(test_late_frame_and_its_catch_up_are_one_drop),
		cmocka_unit_test(test_tracer_time_kept_out_of_the_verdict),
		cmocka_unit_test(test_event_rate_limit),
		cmocka_unit_test(test_baseline_line),
		cmocka_unit_test(test_baseline_file),
		cmocka_unit_test(test_split_symbol_lib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
