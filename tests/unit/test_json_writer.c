/* The NDJSON writer: exact bytes for nesting, numbers and every kind of escape. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "output/json_writer.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
	struct json_writer *w;
};

static int open_capture(void **state)
{
	struct capture *c = calloc(1, sizeof(*c));

	c->f = open_memstream(&c->buf, &c->len);
	c->w = jsonw_new(c->f);
	*state = c;
	return 0;
}

static int close_capture(void **state)
{
	struct capture *c = *state;

	jsonw_destroy(&c->w);
	fclose(c->f);
	free(c->buf);
	free(c);
	return 0;
}

static const char *text(struct capture *c)
{
	fflush(c->f);
	return c->buf;
}

static void writes_nested_objects_and_arrays_on_one_line(void **state)
{
	struct capture *c = *state;

	jsonw_start_object(c->w);
	jsonw_string_field(c->w, "type", "interval");
	jsonw_int_field(c->w, "pid", 42);
	jsonw_name(c->w, "native");
	jsonw_start_object(c->w);
	jsonw_uint_field(c->w, "allocs", 18446744073709551615ull);
	jsonw_int_field(c->w, "delta", -7);
	jsonw_end_object(c->w);
	jsonw_name(c->w, "list");
	jsonw_start_array(c->w);
	jsonw_uint(c->w, 1);
	jsonw_bool(c->w, true);
	jsonw_null(c->w);
	jsonw_start_object(c->w);
	jsonw_end_object(c->w);
	jsonw_end_array(c->w);
	jsonw_end_object(c->w);
	assert_string_equal(text(c), "{\"type\":\"interval\",\"pid\":42,\"native\":{\"allocs\":"
			    "18446744073709551615,\"delta\":-7},\"list\":[1,true,null,{}]}\n");
}

static void escapes_quotes_backslashes_and_every_control_byte(void **state)
{
	struct capture *c = *state;

	jsonw_start_array(c->w);
	jsonw_string(c->w, "a\"b\\c\n\t\r\x01\x1f\x7f");
	jsonw_end_array(c->w);
	assert_string_equal(text(c), "[\"a\\\"b\\\\c\\n\\t\\r\\u0001\\u001f\\u007f\"]\n");
}

static void keeps_valid_utf8_and_replaces_invalid_bytes(void **state)
{
	struct capture *c = *state;

	jsonw_start_array(c->w);
	jsonw_string(c->w, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	jsonw_string(c->w, "bad\xff\xc3(\xed\xa0\x80");  /* 0xff, truncated, surrogate */
	jsonw_end_array(c->w);
	assert_string_equal(text(c), "[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
			    "\"bad\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\"]\n");
}

static void writes_doubles_exactly_and_non_finite_as_null(void **state)
{
	struct capture *c = *state;

	jsonw_start_object(c->w);
	jsonw_double_field(c->w, "half", 0.5);
	jsonw_double_field(c->w, "nan", NAN);
	jsonw_double_field(c->w, "inf", INFINITY);
	jsonw_null_field(c->w, "none");
	jsonw_bool_field(c->w, "no", false);
	jsonw_end_object(c->w);
	assert_string_equal(text(c), "{\"half\":0.5,\"nan\":null,\"inf\":null,\"none\":null,"
			    "\"no\":false}\n");
}

static void escapes_field_names_too(void **state)
{
	struct capture *c = *state;

	jsonw_start_object(c->w);
	jsonw_uint_field(c->w, "we\"ird\n", 1);
	jsonw_end_object(c->w);
	assert_string_equal(text(c), "{\"we\\\"ird\\n\":1}\n");
}

static void each_top_level_value_is_one_line(void **state)
{
	struct capture *c = *state;

	for (int i = 0; i < 3; i++) {
		jsonw_start_object(c->w);
		jsonw_int_field(c->w, "i", i);
		jsonw_end_object(c->w);
	}
	assert_string_equal(text(c), "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n");
}

static void writes_string_arrays_escaped_and_empty(void **state)
{
	struct capture *c = *state;
	char *frames[] = { "main+0x1a (/bin/a \"b\")", "f" };

	jsonw_start_object(c->w);
	jsonw_string_array_field(c->w, "frames", frames, 2);
	jsonw_string_array_field(c->w, "none", NULL, 0);
	jsonw_end_object(c->w);
	assert_string_equal(text(c),
			    "{\"frames\":[\"main+0x1a (/bin/a \\\"b\\\")\",\"f\"],\"none\":[]}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(writes_nested_objects_and_arrays_on_one_line,
						open_capture, close_capture),
		cmocka_unit_test_setup_teardown(escapes_quotes_backslashes_and_every_control_byte,
						open_capture, close_capture),
		cmocka_unit_test_setup_teardown(keeps_valid_utf8_and_replaces_invalid_bytes,
						open_capture, close_capture),
		cmocka_unit_test_setup_teardown(writes_doubles_exactly_and_non_finite_as_null,
						open_capture, close_capture),
		cmocka_unit_test_setup_teardown(escapes_field_names_too, open_capture, close_capture),
		cmocka_unit_test_setup_teardown(writes_string_arrays_escaped_and_empty, open_capture,
						close_capture),
		cmocka_unit_test_setup_teardown(each_top_level_value_is_one_line, open_capture,
						close_capture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
