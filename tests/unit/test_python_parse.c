// SPDX-License-Identifier: GPL-2.0
/* Pure parsing of the Python collector: versions, offsets tables, type names, USDT notes. */
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "target/python/census.h"
#include "target/python/pyversion.h"
#include "target/usdt.h"

static void test_version_strings(void **state)
{
	struct pyversion v;

	(void)state;
	assert_true(pyversion__parse("3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]", &v));
	assert_int_equal(v.major, 3);
	assert_int_equal(v.minor, 11);
	assert_int_equal(v.micro, 2);
	assert_true(pyversion__parse("3.13.0rc1", &v));
	assert_int_equal(v.minor, 13);
	assert_false(pyversion__parse("python", &v));
	assert_false(pyversion__parse("3", &v));
	assert_false(pyversion__parse("", &v));
	assert_false(pyversion__parse(NULL, &v));
}

static void test_version_hex(void **state)
{
	struct pyversion v;

	(void)state;
	assert_true(pyversion__from_hex(0x030b02f0, &v));
	assert_int_equal(v.minor, 11);
	assert_int_equal(v.micro, 2);
	assert_true(pyversion__from_hex(0x030d00f0, &v));
	assert_int_equal(v.minor, 13);
	assert_false(pyversion__from_hex(0, &v));
	assert_false(pyversion__from_hex(0x020712f0, &v));
}

static void test_version_file_names(void **state)
{
	struct pyversion v;

	(void)state;
	assert_true(pyversion__from_file_name("/usr/lib/libpython3.11.so.1.0", &v));
	assert_int_equal(v.minor, 11);
	assert_int_equal(v.micro, -1);
	assert_true(pyversion__from_file_name("/usr/bin/python3.8", &v));
	assert_int_equal(v.minor, 8);
	assert_true(pyversion__from_file_name("libpython3.9d.so", &v));
	assert_false(pyversion__from_file_name("/usr/bin/python3", &v));
	assert_false(pyversion__from_file_name("/lib/libc.so.6", &v));
}

static void test_offsets_tables(void **state)
{
	(void)state;
	for (int minor = PY_MIN_MINOR; minor <= PY_MAX_MINOR; minor++) {
		const struct py_offsets *o = py_offsets__get(3, minor);

		assert_non_null(o);
		assert_int_equal(o->minor, minor);
		assert_int_equal(o->gc_head_size, 16);
		assert_int_equal(o->gc_generation_size, 24);
		/* generations[3], then generation0 and permanent_generation, then the stats */
		assert_int_equal(o->gc_stats, o->gc_generations + 3 * 24 + 8 + 24);
		assert_true(o->arena_size == 256 << 10 || o->arena_size == 1 << 20);
	}
	assert_true(py_offsets__get(3, 8)->gc_in_runtime);
	assert_false(py_offsets__get(3, 9)->gc_in_runtime);
	assert_null(py_offsets__get(3, 7));
	assert_null(py_offsets__get(3, 14));
	assert_null(py_offsets__get(2, 7));
}

static void test_type_names(void **state)
{
	char out[PY_TYPE_NAME_MAX];

	(void)state;
	py_type_short_name("collections.OrderedDict", false, out, sizeof(out));
	assert_string_equal(out, "OrderedDict");
	py_type_short_name("_abc._abc_data", true, out, sizeof(out));
	assert_string_equal(out, "_abc_data");
	py_type_short_name("Keeper", true, out, sizeof(out));
	assert_string_equal(out, "Keeper");
	assert_true(py_type_name_valid("dict"));
	assert_false(py_type_name_valid(""));
	assert_false(py_type_name_valid("bad\x01name"));
	assert_false(py_type_name_valid("0123456789012345678901234567890123456789012345678901234567890123456789"));
}

/* The gc__done note of Debian's python3.11: pc, base, semaphore, then the strings. */
static size_t make_note(unsigned char *buf, uint64_t pc, uint64_t base, uint64_t sem,
			const char *provider, const char *name, const char *args)
{
	size_t n = 24;

	memcpy(buf, &pc, 8);
	memcpy(buf + 8, &base, 8);
	memcpy(buf + 16, &sem, 8);
	strcpy((char *)buf + n, provider);
	n += strlen(provider) + 1;
	strcpy((char *)buf + n, name);
	n += strlen(name) + 1;
	strcpy((char *)buf + n, args);
	return n + strlen(args) + 1;
}

static void test_usdt_note(void **state)
{
	unsigned char buf[256];
	struct usdt_probe p;
	size_t n = make_note(buf, 0x42705b, 0x8c99c0, 0xa7ed50, "python", "gc__done", "-8@%r12");

	(void)state;
	assert_true(usdt_parse_note(buf, n, 0x8c99c0, &p));
	assert_string_equal(p.provider, "python");
	assert_string_equal(p.name, "gc__done");
	assert_string_equal(p.args, "-8@%r12");
	assert_int_equal(p.pc, 0x42705b);
	assert_int_equal(p.semaphore, 0xa7ed50);
	/* A file whose .stapsdt.base moved by 0x1000: the probe moves with it. */
	assert_true(usdt_parse_note(buf, n, 0x8ca9c0, &p));
	assert_int_equal(p.pc, 0x42805b);
	assert_int_equal(p.semaphore, 0xa7fd50);
	/* Truncated: the strings do not end inside the note. */
	assert_false(usdt_parse_note(buf, n - 3, 0x8c99c0, &p));
	assert_false(usdt_parse_note(buf, 20, 0, &p));
}

static void test_usdt_file(void **state)
{
	struct usdt_probe *probes;
	int n = usdt_read_probes("/usr/bin/python3.11", &probes);

	(void)state;
	if (n == -ENOENT)
		skip();
	assert_true(n > 0);
	assert_non_null(usdt_find(probes, n, "python", "gc__start"));
	assert_non_null(usdt_find(probes, n, "python", "gc__done"));
	assert_null(usdt_find(probes, n, "python", "no_such_probe"));
	free(probes);
	assert_true(usdt_read_probes("/nonexistent", &probes) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_strings),
		cmocka_unit_test(test_version_hex),
		cmocka_unit_test(test_version_file_names),
		cmocka_unit_test(test_offsets_tables),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_usdt_note),
		cmocka_unit_test(test_usdt_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
