/* --sqlite from synthetic reports: the rows each table gets, the interval seq per process,
 * NULL where a mode cannot know a figure (--light, census mode, unknown gc counts), and a stack
 * as a row per frame. The file is read back with libsqlite3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "model/analysis_events.h"
#include "model/frame_report.h"
#include "output/output.h"

static char path[] = "/tmp/test_output_sqlite.XXXXXX";

/* The rows of sql as "a|b;c|d" (NULL as "-"). */
static const char *rows(const char *sql)
{
	static char out[4096];
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t len = 0;

	out[0] = 0;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *v = sqlite3_column_text(st, c);

			len += snprintf(out + len, sizeof(out) - len, "%s%s", c ? "|" : len ? ";" : "",
					v ? (const char *)v : "-");
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	(void)state;
	close(fd);
	unlink(path);            /* the writer creates it */
	return 0;
}

static int teardown(void **state)
{
	char wal[sizeof(path) + 8];

	(void)state;
	unlink(path);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
	return 0;
}

static void writes_every_table(void **state)
{
	struct output *out = sqlite_output__new(path);
	struct python_type_report types[] = {
		{ .name = "Keeper", .has_live = true, .live = 12, .live_bytes = 576, .peak_live = 12 },
		{ .name = "Churn", .has_live = true, .live = 3, .has_events = true, .created = 9,
		  .destroyed = 6 },
	};
	struct python_gc_event gcs[] = {
		{ .generation = 2, .start_ns = 100, .duration_ns = 7, .collected = -1,
		  .uncollectable = -1 },
	};
	struct python_report py = { .version = "3.11.2", .types = types, .type_count = 2,
				    .gc_events = gcs, .gc_event_count = 1 };
	struct process_report r = { .pid = 42, .comm = "app", .native_traced = true,
				    .elapsed_ns = 1000, .interval_ns = 1000, .rss_bytes = 4096 };
	struct process_report light = { .pid = 43, .comm = "light", .elapsed_ns = 1000 };
	char *names[] = { "leak+0x10", "main+0x20" };
	struct stack_frame parts[] = {
		{ .ip = 0x1010, .function = "leak", .module = "/bin/app" },
		{ .ip = 0x2020, .function = NULL, .module = NULL },
	};
	struct stack_report stack = { .stack_id = 5, .live_allocs = 2, .live_bytes = 64,
				      .allocs = 3, .bytes_allocated = 96, .depth = 2,
				      .frames = names, .parts = parts };
	struct frame_report frame = { .pid = 42, .seq = 1, .start_ns = 10, .end_ns = 20,
				      .native_known = true, .allocs = 4, .bytes_allocated = 40,
				      .live_bytes = 8, .fps = 60 };
	struct analysis_event leak = { .type = EVENT_LEAK, .pid = 42, .elapsed_ns = 900,
				       .name = "leak", .severity = LEAK_SEVERITY_HIGH, .growth_per_s = 1.5 };

	(void)state;
	assert_non_null(out);
	assert_true(out->all_stacks);
	r.native.allocs = 10, r.native.bytes_allocated = 1000, r.native.frees = 4;
	r.native.bytes_freed = 400;
	r.native_delta = r.native;
	output__interval(out, &r);
	output__interval(out, &light);
	r.python = &py;
	r.elapsed_ns = 2000;
	r.native_delta = (struct native_totals){ .allocs = 1, .bytes_allocated = 50 };
	r.native.allocs = 11, r.native.bytes_allocated = 1050;
	output__interval(out, &r);
	output__frame(out, &frame);
	output__event(out, &leak);
	r.stacks = &stack, r.stack_count = 1, r.exited = true;
	output__summary(out, &r);
	output__destroy(out);

	assert_string_equal(rows("SELECT pid, comm, python_version, exited FROM processes ORDER BY pid"),
			    "42|app|3.11.2|1;43|light|-|0");
	assert_string_equal(rows("SELECT pid, seq, allocs, bytes_allocated, frees, live_bytes,"
				 " live_allocs, rss_bytes FROM intervals ORDER BY elapsed_ns, pid"),
			    "42|1|10|1000|4|600|6|4096;43|1|-|-|-|-|-|0;42|2|1|50|0|650|7|4096");
	assert_string_equal(rows("SELECT seq, name, live, live_bytes, created, destroyed"
				 " FROM python_types ORDER BY name"),
			    "2|Churn|3|0|9|6;2|Keeper|12|576|-|-");
	assert_string_equal(rows("SELECT seq, generation, duration_ns, collected FROM gc"), "2|2|7|-");
	assert_string_equal(rows("SELECT seq, allocs, bytes_allocated, live_bytes, fps, gc_runs"
				 " FROM frames"), "1|4|40|8|60.0|-");
	assert_string_equal(rows("SELECT type, kind, name, severity, growth_per_s FROM events"),
			    "leak|native_stack|leak|high|1.5");
	assert_string_equal(rows("SELECT frame_index, kind, function, file, line, module, address"
				 " FROM stacks ORDER BY frame_index"),
			    "0|native|leak|-|-|/bin/app|4112;1|native|main+0x20|-|-|-|8224");
	assert_string_equal(rows("SELECT stack_id, live_allocs, live_bytes, allocs, bytes_allocated"
				 " FROM stack_samples"), "5|2|64|3|96");
}

static void unopenable_path_is_null(void **state)
{
	(void)state;
	assert_null(sqlite_output__new("/nonexistent/dir/x.db"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(writes_every_table, setup, teardown),
		cmocka_unit_test(unopenable_path_is_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
