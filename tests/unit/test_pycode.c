// SPDX-License-Identifier: GPL-2.0
/* Naming Python frames: each version's line table decoded against the lines the interpreter
 * itself gives (fixtures/pycode/, captured from pyenv 3.8-3.13 by capture.py), and str objects
 * of each layout read through process_vm_readv from this process's own memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "target/python/pycode.h"
#include "target/python/pyversion.h"

struct fixture {
	enum py_line_table kind;
	const unsigned char *table;
	size_t size;
	int firstlineno;
	const int (*expect)[2];
	size_t count;
};

#include "fixtures/pycode/tables_38.h"
#include "fixtures/pycode/tables_39.h"
#include "fixtures/pycode/tables_310.h"
#include "fixtures/pycode/tables_311.h"
#include "fixtures/pycode/tables_312.h"
#include "fixtures/pycode/tables_313.h"

static void check_fixture(const struct fixture *f)
{
	size_t lines = 0;

	assert_true(f->count > 20);
	for (size_t i = 0; i < f->count; i++) {
		int got = pycode__line_of(f->kind, f->table, f->size, f->firstlineno, f->expect[i][0]);

		if (got != f->expect[i][1])
			fail_msg("offset %d: line %d, the interpreter says %d", f->expect[i][0], got,
				 f->expect[i][1]);
		lines += f->expect[i][1] > f->firstlineno;
	}
	assert_true(lines > 10);   /* the sample spans many lines, not only its first */
	assert_int_equal(pycode__line_of(f->kind, f->table, f->size, f->firstlineno, -1),
			 f->firstlineno);
}

static void test_lnotab_38(void **s) { (void)s; check_fixture(&fixture_38); }
static void test_lnotab_39(void **s) { (void)s; check_fixture(&fixture_39); }
static void test_pep626_310(void **s) { (void)s; check_fixture(&fixture_310); }
static void test_locations_311(void **s) { (void)s; check_fixture(&fixture_311); }
static void test_locations_312(void **s) { (void)s; check_fixture(&fixture_312); }
static void test_locations_313(void **s) { (void)s; check_fixture(&fixture_313); }

/* A compact str as CPython lays it out: header (length at 16, state at 32), data after. */
static void *make_str(const struct py_stack_offsets *o, const void *data, size_t length,
		      int kind, int ascii)
{
	size_t header = ascii ? o->unicode_ascii_size : o->unicode_compact_size;
	unsigned char *obj = calloc(1, header + (length + 1) * kind);
	uint64_t len = length;
	uint32_t state = (uint32_t)kind << 2 | 1u << 5 | (uint32_t)ascii << 6;

	memcpy(obj + 16, &len, 8);
	memcpy(obj + PY_UNICODE_STATE, &state, 4);
	memcpy(obj + header, data, length * kind);
	return obj;
}

static void test_read_str(void **state)
{
	const uint16_t ucs2[] = { 0x3b1, 0x3b2, 'x' };      /* "αβx" */
	const unsigned char latin1[] = { 'c', 0xe9 };        /* "cé" */
	struct remote_mem *m = remote_mem__new(getpid(), 1 << 20);
	char buf[64];

	(void)state;
	assert_non_null(m);
	for (int minor = 11; minor <= 12; minor++) {
		const struct py_stack_offsets *o = &py_offsets__get(3, minor)->stack;
		void *a = make_str(o, "make_leak", 9, 1, 1), *b = make_str(o, ucs2, 3, 2, 0),
		     *c = make_str(o, latin1, 2, 1, 0);

		remote_mem__reset(m);
		assert_true(pycode__read_str(m, o, (uint64_t)(uintptr_t)a, buf, sizeof(buf)));
		assert_string_equal(buf, "make_leak");
		assert_true(pycode__read_str(m, o, (uint64_t)(uintptr_t)b, buf, sizeof(buf)));
		assert_string_equal(buf, "\xce\xb1\xce\xb2x");
		assert_true(pycode__read_str(m, o, (uint64_t)(uintptr_t)c, buf, sizeof(buf)));
		assert_string_equal(buf, "c\xc3\xa9");
		assert_true(pycode__read_str(m, o, (uint64_t)(uintptr_t)a, buf, 5));
		assert_string_equal(buf, "make");      /* cut to the buffer, terminated */
		free(a);
		free(b);
		free(c);
	}
	remote_mem__free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lnotab_38),
		cmocka_unit_test(test_lnotab_39),
		cmocka_unit_test(test_pep626_310),
		cmocka_unit_test(test_locations_311),
		cmocka_unit_test(test_locations_312),
		cmocka_unit_test(test_locations_313),
		cmocka_unit_test(test_read_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
