/* The lifetimes and pool sections of the summary, in JSON and on the console, from a
 * synthetic report: buckets as [min_ns, max_ns), nulls where nothing was freed or there is
 * no --frame, and the process's section null when lifetimes were not measured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/lifetimes.h"
#include "output/console/console_sections.h"
#include "output/json/json_sections.h"

#define MS 1000000ull

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

static char *json_of(const struct process_report *r)
{
	struct json_writer *w;
	struct captured c;

	w = jsonw_new(capture(&c));
	jsonw_start_object(w);
	json_write_lifetime_summary(w, r);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	return captured_text(&c);
}

/* 1000 blocks freed within 1 us, 100 after 50 ms, 10 kept; one pool hint. */
static char *frames_short[] = { "short_lived+0x1b (t)", "main+0x43 (t)" };

static void fill(struct process_report *r, struct lifetime_summary *ls, struct stack_report *st,
		 struct pool_hint *pool)
{
	memset(r, 0, sizeof(*r));
	r->pid = 7;
	r->native_traced = true;
	r->native.allocs = 1110;
	r->native.frees = 1100;
	*st = (struct stack_report){ .stack_id = 3, .allocs = 1000, .peak_live = 1,
				     .size_min = 64, .size_max = 64, .depth = 2,
				     .frames = frames_short };
	st->lifetimes.hist[0] = 1000;
	st->lifetimes.temporary = 1000;
	st->lifetimes.total_ns = 1000 * 500;
	*ls = (struct lifetime_summary){ .temporary_ns = MS, .stacks = st, .stack_count = 1,
					 .pools = pool, .pool_count = 1 };
	ls->total = st->lifetimes;
	ls->total.hist[lifetime_bucket_of(50 * MS)] = 100;
	ls->total.total_ns += 100 * 50 * MS;
	*pool = (struct pool_hint){ .stack_id = 3, .size = 64, .peak_live = 1, .allocs = 1000,
				    .frees = 1000, .allocs_per_s = 500, .allocs_per_frame = -1,
				    .calls_saved_per_s = 999.5, .bytes_churned_per_s = 32000,
				    .depth = 2, .frames = frames_short };
	snprintf(pool->name, sizeof(pool->name), "short_lived+0x1b (t)");
	r->lifetimes = ls;
}

static void test_json_sections(void **state)
{
	struct process_report r;
	struct lifetime_summary ls;
	struct stack_report st;
	struct pool_hint pool;
	char *text;

	(void)state;
	fill(&r, &ls, &st, &pool);
	text = json_of(&r);
	assert_non_null(strstr(text, "\"lifetimes\":{\"temporary_ms\":1,\"freed\":1100,"
				     "\"temporary\":1000,\"survivors\":10,"));
	assert_non_null(strstr(text, "{\"min_ns\":0,\"max_ns\":1000,\"count\":1000}"));
	assert_non_null(strstr(text, "{\"min_ns\":32768000,\"max_ns\":65536000,\"count\":100}"));
	assert_non_null(strstr(text, "\"stacks\":[{\"stack_id\":3,\"allocs\":1000,\"live_allocs\":0,"
				     "\"peak_live\":1,\"size_min\":64,\"size_max\":64,"
				     "\"lifetimes\":{\"freed\":1000,\"temporary\":1000,\"survivors\":0,"
				     "\"survival_share\":0,\"mean_ns\":500,"));
	assert_non_null(strstr(text, "\"types\":[]"));
	assert_non_null(strstr(text, "\"pools\":[{\"kind\":\"native_stack\",\"name\":\"short_lived+0x1b (t)\","
				     "\"stack_id\":3,\"frames\":[\"short_lived+0x1b (t)\",\"main+0x43 (t)\"],"
				     "\"size\":64,\"peak_live\":1,\"pool_bytes\":64,\"allocs\":1000,"
				     "\"frees\":1000,\"allocs_per_s\":500,\"allocs_per_frame\":null,"
				     "\"calls_saved_per_s\":999.5,\"bytes_churned_per_s\":32000}]"));
	free(text);
}

static void test_json_nothing_freed_and_unmeasured(void **state)
{
	struct stack_report kept = { .allocs = 10, .live_allocs = 10 };
	struct process_report r = { .pid = 7 };
	struct json_writer *w;
	struct captured c;
	char *text;

	(void)state;
	w = jsonw_new(capture(&c));
	jsonw_start_object(w);
	json_write_lifetimes(w, &kept.lifetimes, kept.allocs, kept.live_allocs);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	text = captured_text(&c);
	assert_string_equal(text, "{\"lifetimes\":{\"freed\":0,\"temporary\":0,\"survivors\":10,"
			    "\"survival_share\":1,\"mean_ns\":null,\"median_ns\":null,"
			    "\"p90_ns\":null,\"histogram\":[]}}\n");
	free(text);
	text = json_of(&r);       /* --light, --no-stacks: not measured */
	assert_string_equal(text, "{\"lifetimes\":null,\"pools\":null}\n");
	free(text);
}

static void test_console(void **state)
{
	struct python_type_report held = { .name = "Held", .has_events = true, .created = 100,
					   .destroyed = 90 };
	const struct python_type_report *types[] = { &held };
	struct process_report r;
	struct lifetime_summary ls;
	struct stack_report st;
	struct pool_hint pool;
	struct captured c;
	char *text;

	(void)state;
	fill(&r, &ls, &st, &pool);
	held.lifetimes.hist[lifetime_bucket_of(50 * MS)] = 90;
	ls.types = types;
	ls.type_count = 1;
	console_write_lifetimes(capture(&c), &r);
	text = captured_text(&c);
	assert_non_null(strstr(text, "  lifetimes: 1100 frees measured, 1000 temporary (< 1 ms), "
				     "0.9% of allocations survive\n"));
	assert_non_null(strstr(text, "    >= 0 ns             1000 |"));
	assert_non_null(strstr(text, "    >= 32.8 ms           100 |####\n"));
	assert_non_null(strstr(text, "      lifetimes: 1000 freed (median "));
	assert_non_null(strstr(text, "), 1000 temporary (< 1 ms), 0.0% survive\n"));
	assert_non_null(strstr(text, "  Python types by instances created (--python=events):\n"
				     "    Held                            100 created, 90 freed (median "));
	assert_non_null(strstr(text, " ms), 0 temporary, 10.0% survive\n"));
	assert_non_null(strstr(text, "  pool: short_lived+0x1b (t): 64-B blocks, peak 1 live (a pool "
				     "of 64 B), 500 allocs/s; it would save 1000 allocator calls/s "
				     "and 31.2 KiB/s of churn\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_sections),
		cmocka_unit_test(test_json_nothing_freed_and_unmeasured),
		cmocka_unit_test(test_console),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
