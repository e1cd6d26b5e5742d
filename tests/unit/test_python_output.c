/* The Python part of a report on the console and in JSON when figures are unknown: left out
 * or n/a on the console (never an empty slot between commas), null in JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "output/console/console_sections.h"
#include "output/json/json_sections.h"

struct captured {
	char *text;
	size_t size;
	FILE *f;
};

static FILE *capture(struct captured *c)
{
	c->text = NULL;
	c->size = 0;
	c->f = open_memstream(&c->text, &c->size);
	assert_non_null(c->f);
	return c->f;
}

static char *captured_text(struct captured *c)
{
	fclose(c->f);
	return c->text;
}

static void report_with(struct process_report *r, struct python_report *py)
{
	memset(r, 0, sizeof(*r));
	r->pid = 42;
	r->python = py;
	snprintf(py->version, sizeof(py->version), "3.11.7");
}

static char *interval_line(const struct process_report *r)
{
	struct captured c;

	console_write_python_interval(capture(&c), r);
	return captured_text(&c);
}

static void test_interval_line_unknown_figures(void **state)
{
	struct python_report py = { .mode = "events", .arenas_known = true, .arena_bytes = 16 << 20,
				    .gc_known = true, .gc_time_known = true, .gc_time_ns = 6500000 };
	struct process_report r;
	char *line;

	(void)state;
	report_with(&r, &py);
	/* Event mode: no object count. */
	line = interval_line(&r);
	assert_string_equal(line, "         python 3.11.7: pymalloc 16.0 MiB, gc 0/0/0 in 6.50 ms\n");
	free(line);
	/* Collections timed by the probes, their counts unknown. */
	py.arenas_known = py.gc_known = false;
	line = interval_line(&r);
	assert_string_equal(line, "         python 3.11.7: gc time 6.50 ms\n");
	free(line);
	/* Nothing known (the process exited). */
	py.gc_time_known = false;
	line = interval_line(&r);
	assert_string_equal(line, "         python 3.11.7: n/a\n");
	free(line);
	/* Census mode, everything known. */
	py = (struct python_report){ .mode = "census", .objects_known = true, .objects = 23475,
				     .object_bytes = 1887436, .arenas_known = true,
				     .arena_bytes = 6 << 20, .gc_known = true,
				     .gc_collections = { 17, 1, 1 } };
	snprintf(py.version, sizeof(py.version), "3.11.7");
	line = interval_line(&r);
	assert_string_equal(line, "         python 3.11.7: 23475 objects (1.8 MiB), pymalloc 6.0 MiB, "
			    "gc 17/1/1\n");
	free(line);
}

static void test_summary_unknown_gc_and_types(void **state)
{
	/* What an exited target's summary had: GC time known, its counts and types not. */
	struct python_report py = { .mode = "census", .gc_time_known = true,
				    .gc_time_ns = 264700000 };
	struct process_report r;
	struct captured c;
	char *text;

	(void)state;
	report_with(&r, &py);
	console_write_python_summary(capture(&c), &r);
	text = captured_text(&c);
	assert_string_equal(text,
			    "  python 3.11.7 (census mode):\n"
			    "    memory: native (malloc) live n/a | python objects n/a | pymalloc arenas n/a\n"
			    "    gc: 264.70 ms in GC\n"
			    "    types: n/a\n");
	free(text);
}

static void test_summary_last_seen_with_peaks(void **state)
{
	struct python_type_report types[] = {
		{ .name = "Hoard", .has_live = true, .live = 12345, .live_bytes = 493800,
		  .peak_live = 12345 },
		{ .name = "dict" },
	};
	struct python_report py = { .mode = "census", .last_seen = true, .types = types,
				    .type_count = 2, .objects_known = true, .objects = 23475,
				    .object_bytes = 1887436, .objects_peak = 23485,
				    .gc_known = true, .gc_counts_known = true,
				    .gc_collections = { 17, 1, 1 }, .gc_time_known = true,
				    .gc_time_ns = 8170000 };
	struct process_report r;
	struct captured c;
	char *text;

	(void)state;
	report_with(&r, &py);
	console_write_python_summary(capture(&c), &r);
	text = captured_text(&c);
	assert_non_null(strstr(text, "  python 3.11.7 (census mode; its interpreter ended: as last "
				     "seen while it ran):\n"));
	assert_non_null(strstr(text, "| python objects 1.8 MiB (23475 objects, peak 23485) |"));
	assert_non_null(strstr(text, "    gc: 17/1/1 collections (gen 0/1/2), 0 collected, "
				     "0 uncollectable, 8.17 ms in GC\n"));
	assert_non_null(strstr(text, "    Hoard                                           12345 "
				     "       12345       493800            -            -\n"));
	free(text);
}

static void test_json_nulls_and_peaks(void **state)
{
	struct python_type_report types[] = {
		{ .name = "Leaky", .has_live = true, .live = 6000, .live_bytes = 240000,
		  .peak_live = 6000, .has_events = true, .created = 6000 },
		{ .name = "epoll" },
	};
	struct python_report py = { .mode = "events", .types = types, .type_count = 2 };
	struct process_report r;
	struct json_writer *w;
	struct captured c;
	char *text;

	(void)state;
	report_with(&r, &py);
	w = jsonw_new(capture(&c));
	jsonw_start_object(w);
	json_write_python(w, &r, NULL);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	text = captured_text(&c);
	assert_non_null(strstr(text, "\"last_seen\":false"));
	assert_non_null(strstr(text, "{\"name\":\"Leaky\",\"live\":6000,\"live_bytes\":240000,"
				     "\"peak_live\":6000,\"created\":6000,\"destroyed\":0}"));
	assert_non_null(strstr(text, "{\"name\":\"epoll\",\"live\":null,\"live_bytes\":null,"
				     "\"peak_live\":null,\"created\":null,\"destroyed\":null}"));
	assert_non_null(strstr(text, "\"collections\":null"));
	assert_non_null(strstr(text, "\"objects\":null,\"object_bytes\":null,\"objects_peak\":null"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_line_unknown_figures),
		cmocka_unit_test(test_summary_unknown_gc_and_types),
		cmocka_unit_test(test_summary_last_seen_with_peaks),
		cmocka_unit_test(test_json_nulls_and_peaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
