/* Go programs told apart by their sections, on copies of this test's own executable with a
 * section added by objcopy (no Go toolchain needed). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "target/binary_kind.h"

static char dir[] = "/tmp/test_binary_kind.XXXXXX";

/* dir/NAME: this executable with SECTION added ("" for none). */
static void copy_with_section(const char *name, const char *section)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cd %s && printf 'go1.22' > payload && objcopy %s%s%s "
		 "/proc/%d/exe %s", dir, *section ? "--add-section " : "", section,
		 *section ? "=payload" : "", (int)getpid(), name);
	assert_int_equal(system(cmd), 0);
}

static struct binary_kind kind_of(const char *name)
{
	struct binary_kind kind;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(binary_kind__read(path, &kind), 0);
	return kind;
}

static int make_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_a_c_program_is_not_go(void **state)
{
	struct binary_kind kind;

	(void)state;
	copy_with_section("plain", "");
	kind = kind_of("plain");
	assert_false(kind.go);
	assert_true(kind.dynamic);
}

static void test_go_sections(void **state)
{
	(void)state;
	copy_with_section("buildinfo", ".go.buildinfo");
	assert_true(kind_of("buildinfo").go);
	copy_with_section("buildid", ".note.go.buildid");
	assert_true(kind_of("buildid").go);
	/* A name that only starts the same is not Go's. */
	copy_with_section("lookalike", ".go.buildinfo2");
	assert_false(kind_of("lookalike").go);
}

static void test_no_interpreter_is_static(void **state)
{
	char cmd[512];
	struct binary_kind kind;

	(void)state;
	/* An ELF with no program headers at all: no PT_INTERP. */
	snprintf(cmd, sizeof(cmd), "cd %s && printf 'go1.22' > payload && objcopy -I binary "
		 "-O elf64-little --rename-section .data=.go.buildinfo payload static", dir);
	assert_int_equal(system(cmd), 0);
	kind = kind_of("static");
	assert_true(kind.go);
	assert_false(kind.dynamic);
}

static void test_not_an_elf_file(void **state)
{
	struct binary_kind kind;
	char path[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/text", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	assert_int_equal(binary_kind__read(path, &kind), -ENOEXEC);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(binary_kind__read(path, &kind), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_c_program_is_not_go),
		cmocka_unit_test(test_go_sections),
		cmocka_unit_test(test_no_interpreter_is_static),
		cmocka_unit_test(test_not_an_elf_file),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
