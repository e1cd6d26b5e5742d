// SPDX-License-Identifier: GPL-2.0
/* Naming Python frames (user/target/python/pycode.c): line tables captured from each real
 * interpreter (tests/unit/fixtures/pycode/, with the line the interpreter itself gives every
 * offset), and fake code, str and bytes objects laid out in this process with a version's
 * offsets, resolved through remote_mem on getpid(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "target/python/pycode.h"

static uint64_t fake_code_type[64];

static size_t parse_hex(const char *hex, uint8_t *out, size_t room)
{
	size_t n = 0;
	unsigned int byte;

	if (!strcmp(hex, "-"))
		return 0;
	while (n < room && sscanf(hex + 2 * n, "%2x", &byte) == 1)
		out[n++] = (uint8_t)byte;
	return n;
}

/* Every offset of every code object in py3.MINOR.txt gets the interpreter's own line. */
static void check_fixture(int minor)
{
	static char line[1 << 17];
	static uint8_t table[1 << 16];
	enum py_line_table kind = py_offsets__get(3, minor)->stack.line_table;
	char path[512], name[256], hex[sizeof(line)];
	size_t size = 0, codes = 0, offsets = 0;
	int first = 0, a, b, want;
	FILE *f;

	snprintf(path, sizeof(path), "%s/py3.%d.txt", PYCODE_FIXTURES, minor);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "code %*s %d %255s", &first, name) == 2) {
			codes++;
		} else if (sscanf(line, "table %s", hex) == 1) {
			size = parse_hex(hex, table, sizeof(table));
		} else if (sscanf(line, "at %d %d %d", &a, &b, &want) == 3) {
			for (int off = a; off <= b; off++, offsets++) {
				int got = pycode__line_of(kind, table, size, first, off);

				if (got != want)
					fail_msg("3.%d %s offset %d: line %d, the interpreter says %d",
						 minor, name, off, got, want);
			}
		}
	}
	fclose(f);
	/* samples.py, textwrap and json.decoder: dozens of code objects, thousands of offsets. */
	assert_true(codes >= 40);
	assert_true(offsets >= 2000);
}

static void test_real_tables(void **state)
{
	(void)state;
	for (int minor = PY_MIN_MINOR; minor <= PY_MAX_MINOR; minor++)
		check_fixture(minor);
}
static uint64_t fake_str_type[64];

struct fake {
	_Alignas(16) uint8_t code[256];
	_Alignas(16) uint8_t name[128], qualname[128], file[256], file2[256];
	_Alignas(16) uint8_t table[128], table2[128];
};

static void put64(uint8_t *obj, size_t off, uint64_t v)
{
	memcpy(obj + off, &v, sizeof(v));
}

static void ascii_str(const struct py_stack_offsets *so, uint8_t *obj, const char *s)
{
	uint32_t state = (1u << 2) | (1u << 5) | (1u << 6);

	memset(obj, 0, 64);
	put64(obj, PY_OB_TYPE, (uintptr_t)fake_str_type);
	put64(obj, PY_OB_SIZE, strlen(s));
	memcpy(obj + PY_UNICODE_STATE, &state, sizeof(state));
	memcpy(obj + so->unicode_ascii_size, s, strlen(s) + 1);
}

/* A compact UCS-2 string (kind 2): "/tmp/\u00e9t\u00e9/\u4e2d.py". */
static void ucs2_str(const struct py_stack_offsets *so, uint8_t *obj)
{
	static const uint16_t chars[] = { '/', 't', 'm', 'p', '/', 0xe9, 't', 0xe9, '/', 0x4e2d,
					  '.', 'p', 'y' };
	uint32_t state = (2u << 2) | (1u << 5);

	memset(obj, 0, 64);
	put64(obj, PY_OB_TYPE, (uintptr_t)fake_str_type);
	put64(obj, PY_OB_SIZE, sizeof(chars) / sizeof(chars[0]));
	memcpy(obj + PY_UNICODE_STATE, &state, sizeof(state));
	memcpy(obj + so->unicode_compact_size, chars, sizeof(chars));
}

static void bytes_obj(uint8_t *obj, const uint8_t *data, size_t n)
{
	put64(obj, PY_OB_SIZE, n);
	memcpy(obj + PY_BYTES_DATA, data, n);
}

static void code_obj(const struct py_stack_offsets *so, uint8_t *code, const uint8_t *file,
		     const uint8_t *name, const uint8_t *qualname, const uint8_t *table, int32_t first)
{
	memset(code, 0, 256);
	put64(code, PY_OB_TYPE, (uintptr_t)fake_code_type);
	put64(code, so->code_filename, (uintptr_t)file);
	put64(code, so->code_name, (uintptr_t)name);
	if (so->code_qualname >= 0)
		put64(code, (uint32_t)so->code_qualname, (uintptr_t)qualname);
	put64(code, so->code_linetable, (uintptr_t)table);
	memcpy(code + so->code_firstlineno, &first, sizeof(first));
}

/* 3.11 location table, firstlineno 10: 2 units no-columns +1 (11); 1 unit one-line +1 (12);
 * 1 unit without location; 1 unit long form -2 (10). */
static const uint8_t locations[] = { 0xe9, 0x02, 0xd8, 0x01, 0x02, 0xf8, 0xf0, 0x05, 0x00,
				     0x01, 0x01 };
/* Another: 3 units at +5 (no columns). */
static const uint8_t locations2[] = { 0xea, 0x0a };

static void target_for(struct py_target *t, int minor)
{
	memset(t, 0, sizeof(*t));
	t->pid = getpid();
	t->off = *py_offsets__get(3, minor);
	t->code_type_addr = (uintptr_t)fake_code_type;
}

static void test_resolve_311(void **state)
{
	struct pycode_cache *c = pycode_cache__new();
	struct remote_mem *m = remote_mem__new(getpid(), 1 << 20);
	struct fake *f = calloc(1, sizeof(*f));
	const struct py_stack_offsets *so;
	struct py_frame_loc loc;
	struct py_target t;
	uint64_t code;

	(void)state;
	target_for(&t, 11);
	so = &t.off.stack;
	ascii_str(so, f->name, "method");
	ascii_str(so, f->qualname, "Outer.method.<locals>.inner");
	ucs2_str(so, f->file);
	bytes_obj(f->table, locations, sizeof(locations));
	code_obj(so, f->code, f->file, f->name, f->qualname, f->table, 10);
	code = (uintptr_t)f->code;

	assert_true(pycode__resolve_offset(c, m, &t, code, 0, &loc));
	assert_string_equal(loc.function, "Outer.method.<locals>.inner");
	assert_string_equal(loc.file, "/tmp/\xc3\xa9t\xc3\xa9/\xe4\xb8\xad.py");
	assert_int_equal(loc.line, 11);
	assert_true(pycode__resolve_offset(c, m, &t, code, 3, &loc));
	assert_int_equal(loc.line, 11);
	assert_true(pycode__resolve_offset(c, m, &t, code, 4, &loc));
	assert_int_equal(loc.line, 12);
	assert_true(pycode__resolve_offset(c, m, &t, code, 6, &loc));
	assert_int_equal(loc.line, -1);
	assert_true(pycode__resolve_offset(c, m, &t, code, 8, &loc));
	assert_int_equal(loc.line, 10);
	assert_true(pycode__resolve_offset(c, m, &t, code, 10, &loc));
	assert_int_equal(loc.line, -1);
	/* An instruction pointer inside co_code_adaptive; one before it: a frame not started. */
	assert_true(pycode__resolve(c, m, &t, code, code + (uint32_t)so->code_adaptive + 4, &loc));
	assert_int_equal(loc.line, 12);
	assert_true(pycode__resolve(c, m, &t, code, code + (uint32_t)so->code_adaptive - 2, &loc));
	assert_int_equal(loc.line, 10);
	assert_int_equal(pycode_cache__decodes(c), 1);
	assert_int_equal(pycode_cache__entries(c), 1);

	/* The code object freed and its address reused by another one. */
	ascii_str(so, f->file2, "/srv/app.py");
	bytes_obj(f->table2, locations2, sizeof(locations2));
	code_obj(so, f->code, f->file2, f->name, f->name, f->table2, 40);
	remote_mem__reset(m);
	assert_true(pycode__resolve_offset(c, m, &t, code, 2, &loc));
	assert_string_equal(loc.function, "method");
	assert_string_equal(loc.file, "/srv/app.py");
	assert_int_equal(loc.line, 45);
	assert_int_equal(pycode_cache__decodes(c), 2);
	assert_int_equal(pycode_cache__entries(c), 1);

	/* No longer a code object: refused, nothing stale returned. */
	put64(f->code, PY_OB_TYPE, (uintptr_t)fake_str_type);
	remote_mem__reset(m);
	assert_false(pycode__resolve_offset(c, m, &t, code, 2, &loc));
	assert_false(pycode__resolve_offset(c, m, &t, 0, 2, &loc));
	assert_false(pycode__resolve_offset(c, m, &t, 8, 2, &loc));

	free(f);
	remote_mem__free(m);
	pycode_cache__free(c);
}

/* 3.8: co_name, a lnotab, f_lasti in bytes; 3.10: PEP 626 table, f_lasti in code units. */
static void test_resolve_38_310(void **state)
{
	static const uint8_t lnotab[] = { 0, 1, 6, 1, 4, 2 };       /* 5@0, 6@6, 8@10 (first 4) */
	static const uint8_t pep626[] = { 4, 1, 2, 0x80, 6, 3 };    /* [0,4) 5, [4,6) -, [6,12) 8 */
	struct pycode_cache *c = pycode_cache__new();
	struct remote_mem *m = remote_mem__new(getpid(), 1 << 20);
	struct fake *f = calloc(1, sizeof(*f));
	const struct py_stack_offsets *so;
	struct py_frame_loc loc;
	struct py_target t;
	uint64_t code = (uintptr_t)f->code;

	(void)state;
	target_for(&t, 8);
	so = &t.off.stack;
	ascii_str(so, f->name, "handler");
	ascii_str(so, f->file, "app.py");
	bytes_obj(f->table, lnotab, sizeof(lnotab));
	code_obj(so, f->code, f->file, f->name, NULL, f->table, 4);
	assert_true(pycode__resolve(c, m, &t, code, (uint64_t)-1, &loc));
	assert_string_equal(loc.function, "handler");
	assert_int_equal(loc.line, 4);
	assert_true(pycode__resolve(c, m, &t, code, 0, &loc));
	assert_int_equal(loc.line, 5);
	assert_true(pycode__resolve(c, m, &t, code, 8, &loc));
	assert_int_equal(loc.line, 6);
	assert_true(pycode__resolve(c, m, &t, code, 12, &loc));
	assert_int_equal(loc.line, 8);

	pycode_cache__free(c);
	c = pycode_cache__new();
	target_for(&t, 10);
	so = &t.off.stack;
	bytes_obj(f->table, pep626, sizeof(pep626));
	code_obj(so, f->code, f->file, f->name, NULL, f->table, 4);
	remote_mem__reset(m);
	assert_true(pycode__resolve(c, m, &t, code, 1, &loc));     /* byte 2 */
	assert_int_equal(loc.line, 5);
	assert_true(pycode__resolve(c, m, &t, code, 2, &loc));     /* byte 4 */
	assert_int_equal(loc.line, -1);
	assert_true(pycode__resolve(c, m, &t, code, 5, &loc));     /* byte 10 */
	assert_int_equal(loc.line, 8);
	assert_true(pycode__resolve(c, m, &t, code, 6, &loc));     /* past the end */
	assert_int_equal(loc.line, -1);

	free(f);
	remote_mem__free(m);
	pycode_cache__free(c);
}

/* More code objects than the cache holds: the least recently used go, the size stays capped. */
static void test_cache_bound(void **state)
{
	enum { N = PYCODE_CACHE_MAX + 100 };
	struct pycode_cache *c = pycode_cache__new();
	struct remote_mem *m = remote_mem__new(getpid(), 8 << 20);
	struct fake *f = calloc(1, sizeof(*f));
	uint8_t (*codes)[256] = aligned_alloc(16, (size_t)N * 256);
	struct py_frame_loc loc;
	struct py_target t;

	(void)state;
	target_for(&t, 12);
	ascii_str(&t.off.stack, f->name, "f");
	bytes_obj(f->table, locations2, sizeof(locations2));
	for (int i = 0; i < N; i++)
		code_obj(&t.off.stack, codes[i], f->name, f->name, f->name, f->table, i);
	for (int i = 0; i < N; i++) {
		assert_true(pycode__resolve_offset(c, m, &t, (uintptr_t)codes[i], 0, &loc));
		assert_int_equal(loc.line, i + 5);
	}
	assert_int_equal(pycode_cache__entries(c), PYCODE_CACHE_MAX);
	/* The newest is still cached, the oldest was evicted and is decoded again. */
	assert_true(pycode__resolve_offset(c, m, &t, (uintptr_t)codes[N - 1], 0, &loc));
	assert_int_equal(pycode_cache__decodes(c), N);
	assert_true(pycode__resolve_offset(c, m, &t, (uintptr_t)codes[0], 0, &loc));
	assert_int_equal(loc.line, 5);
	assert_int_equal(pycode_cache__decodes(c), N + 1);

	free(codes);
	free(f);
	remote_mem__free(m);
	pycode_cache__free(c);
}

/* Long line tables: the bytes held stay within PYCODE_TABLE_BYTES_MAX, the newest are kept. */
static void test_table_bytes_bound(void **state)
{
	enum { N = 200, TABLE = 60000 };
	size_t keep = PYCODE_TABLE_BYTES_MAX / TABLE;
	struct pycode_cache *c = pycode_cache__new();
	struct remote_mem *m = remote_mem__new(getpid(), 8 << 20);
	struct fake *f = calloc(1, sizeof(*f));
	uint8_t (*codes)[256] = aligned_alloc(16, (size_t)N * 256);
	uint8_t *table = aligned_alloc(16, PY_BYTES_DATA + TABLE);
	struct py_frame_loc loc;
	struct py_target t;

	(void)state;
	target_for(&t, 13);
	ascii_str(&t.off.stack, f->name, "f");
	memset(table, 0, PY_BYTES_DATA);
	for (size_t i = 0; i < TABLE; i++)      /* 1-unit entries, no columns, line + 0 */
		table[PY_BYTES_DATA + i] = i % 2 ? 0x00 : 0xe8;
	put64(table, PY_OB_SIZE, TABLE);
	for (int i = 0; i < N; i++)
		code_obj(&t.off.stack, codes[i], f->name, f->name, f->name, table, i);
	for (int i = 0; i < N; i++) {
		assert_true(pycode__resolve_offset(c, m, &t, (uintptr_t)codes[i], 2 * 1000, &loc));
		assert_int_equal(loc.line, i);
		assert_true(pycode_cache__entries(c) <= keep);
	}
	assert_int_equal(pycode_cache__entries(c), keep);
	assert_true(pycode__resolve_offset(c, m, &t, (uintptr_t)codes[N - 1], 0, &loc));
	assert_int_equal(pycode_cache__decodes(c), N);

	free(table);
	free(codes);
	free(f);
	remote_mem__free(m);
	pycode_cache__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_tables),
		cmocka_unit_test(test_resolve_311),
		cmocka_unit_test(test_resolve_38_310),
		cmocka_unit_test(test_cache_bound),
		cmocka_unit_test(test_table_bytes_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
