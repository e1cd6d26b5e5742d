// SPDX-License-Identifier: GPL-2.0
/* Probe placement: the decoder's choice on hand-made function prologues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "target/probe_offset.h"

#define BASE 0x98ef0

/* glibc 2.36 free: test %rdi,%rdi; je +0xbf; push %rbp; ... ret; (NULL path) ret */
static const uint8_t glibc_free[] = {
	0x48, 0x85, 0xff,                         /* test %rdi,%rdi */
	0x0f, 0x84, 0x03, 0x00, 0x00, 0x00,       /* je +3 (to the last ret) */
	0x55,                                     /* push %rbp   <- +9 */
	0x5d,                                     /* pop %rbp */
	0xc3,                                     /* ret */
	0xc3,                                     /* ret (NULL path) */
};

static void test_free_skips_null_check(void **state)
{
	struct probe_site s = probe_offset__choose(glibc_free, sizeof(glibc_free), BASE, true);

	(void)state;
	assert_int_equal(s.delta, 9);
	assert_true(s.emulated);
}

static void test_free_entry_without_permission(void **state)
{
	struct probe_site s = probe_offset__choose(glibc_free, sizeof(glibc_free), BASE, false);

	(void)state;
	assert_int_equal(s.delta, 0);
	assert_false(s.emulated);
}

static void test_push_at_entry_kept(void **state)
{
	static const uint8_t malloc_code[] = { 0x41, 0x54, 0x55, 0x53, 0xc3 }; /* push r12 ... */
	struct probe_site s = probe_offset__choose(malloc_code, sizeof(malloc_code), BASE, true);

	(void)state;
	assert_int_equal(s.delta, 0);
	assert_true(s.emulated);
}

static void test_endbr_then_push(void **state)
{
	static const uint8_t code[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0xc3 };
	struct probe_site s = probe_offset__choose(code, sizeof(code), BASE, true);

	(void)state;
	/* endbr64 changes nothing, but the entry itself is not emulated: probe the push. */
	assert_int_equal(s.delta, 4);
	assert_true(s.emulated);
}

static void test_other_register_or_branch_keeps_entry(void **state)
{
	/* test %rsi,%rsi; je: the first argument is not the one checked */
	static const uint8_t rsi[] = { 0x48, 0x85, 0xf6, 0x74, 0x01, 0x55, 0xc3 };
	/* test %rdi,%rdi; jne: the fall-through is the NULL path */
	static const uint8_t jne[] = { 0x48, 0x85, 0xff, 0x75, 0x01, 0x55, 0xc3 };
	/* mov %rdi,%rax first (jemalloc): single-stepped, nothing to skip */
	static const uint8_t mov[] = { 0x48, 0x89, 0xf8, 0x55, 0xc3 };

	(void)state;
	assert_int_equal(probe_offset__choose(rsi, sizeof(rsi), BASE, true).delta, 0);
	assert_int_equal(probe_offset__choose(jne, sizeof(jne), BASE, true).delta, 0);
	assert_int_equal(probe_offset__choose(mov, sizeof(mov), BASE, true).delta, 0);
}

static void test_branch_into_site_keeps_entry(void **state)
{
	/* test; je; push %rbp (+5); ret; ret; jmp back to the push: another path reaches it. */
	static const uint8_t code[] = {
		0x48, 0x85, 0xff, 0x74, 0x03, 0x55, 0xc3, 0xc3, 0xeb, 0xfb,
	};
	struct probe_site s = probe_offset__choose(code, sizeof(code), BASE, true);

	(void)state;
	assert_int_equal(s.delta, 0);
}

static void test_empty_or_garbage(void **state)
{
	static const uint8_t garbage[] = { 0x0f, 0x0b, 0xff, 0xff };

	(void)state;
	assert_int_equal(probe_offset__choose(NULL, 0, BASE, true).delta, 0);
	assert_int_equal(probe_offset__choose(garbage, sizeof(garbage), BASE, true).delta, 0);
	assert_int_equal(probe_offset__choose(glibc_free, 5, BASE, true).delta, 0); /* cut short */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_skips_null_check),
		cmocka_unit_test(test_free_entry_without_permission),
		cmocka_unit_test(test_push_at_entry_kept),
		cmocka_unit_test(test_endbr_then_push),
		cmocka_unit_test(test_other_register_or_branch_keeps_entry),
		cmocka_unit_test(test_branch_into_site_keeps_entry),
		cmocka_unit_test(test_empty_or_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
