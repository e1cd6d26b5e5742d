/* symbol_lookup__resolve (the --frame/--stage lookup) over libraries this build made
 * (tests/unit/fixtures/libfixture.c and libfixture_cpp.cpp). Ground truth: the dynamic
 * loader's address of each function and the program header that maps it. */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "target/symbol_lookup.h"

#define FIXTURE FIXTURE_DIR "/libfixture.so"
#define FIXTURE_CPP FIXTURE_DIR "/libfixture_cpp.so"

struct loader_query {
	uintptr_t addr;         /* in: a function's address in this process */
	uint64_t offset;        /* out: its offset in the file that maps it */
	bool found;
};

static int find_in_segments(struct dl_phdr_info *info, size_t size, void *data)
{
	struct loader_query *q = data;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && q->addr >= start && q->addr < start + ph->p_filesz) {
			q->offset = q->addr - start + ph->p_offset;
			q->found = true;
			return 1;
		}
	}
	return 0;
}

/* The file offset of symbol (as the linker names it) in the library, as the loader maps it. */
static uint64_t loader_file_offset(const char *library, const char *symbol)
{
	void *handle = dlopen(library, RTLD_NOW);
	struct loader_query q = { 0 };

	assert_non_null(handle);
	q.addr = (uintptr_t)dlsym(handle, symbol);
	assert_true(q.addr != 0);
	dl_iterate_phdr(find_in_segments, &q);
	assert_true(q.found);
	dlclose(handle);
	return q.offset;
}

static const char *const both[] = { FIXTURE, FIXTURE_CPP };

/* Resolves symbol (with lib) over paths; returns the error, fills path and offset. */
static int resolve(const char *const *paths, size_t count, const char *symbol, const char *lib,
		   char *path, size_t path_size, uint64_t *offset)
{
	struct symtab_cache *cache = symtab_cache__new();
	int err;

	assert_non_null(cache);
	*offset = 0;
	path[0] = '\0';
	err = symbol_lookup__resolve(cache, paths, count, symbol, lib, path, path_size, offset);
	symtab_cache__free(cache);
	return err;
}

static void finds_a_c_function_at_its_file_offset(void **state)
{
	char path[4096];
	uint64_t offset;

	(void)state;
	assert_int_equal(resolve(both, 2, "fixture_add", NULL, path, sizeof(path), &offset), 0);
	assert_string_equal(path, FIXTURE);
	assert_int_equal(offset, loader_file_offset(FIXTURE, "fixture_add"));
	assert_int_equal(resolve(both, 2, "fixture_cpp_plain", NULL, path, sizeof(path), &offset), 0);
	assert_string_equal(path, FIXTURE_CPP);
	assert_int_equal(offset, loader_file_offset(FIXTURE_CPP, "fixture_cpp_plain"));
}

static void finds_a_cpp_method_by_its_demangled_name(void **state)
{
	uint64_t by_int = loader_file_offset(FIXTURE_CPP, "_ZN2ns5Klass6methodEi");
	uint64_t by_double = loader_file_offset(FIXTURE_CPP, "_ZN2ns5Klass6methodEd");
	char path[4096];
	uint64_t offset;

	(void)state;
	assert_int_not_equal(by_int, by_double);
	assert_int_equal(resolve(both, 2, "ns::Klass::method(int)", NULL, path, sizeof(path),
				 &offset), 0);
	assert_string_equal(path, FIXTURE_CPP);
	assert_int_equal(offset, by_int);
	assert_int_equal(resolve(both, 2, "ns::Klass::method(double)", NULL, path, sizeof(path),
				 &offset), 0);
	assert_int_equal(offset, by_double);
	/* The mangled name itself works too. */
	assert_int_equal(resolve(both, 2, "_ZN2ns5Klass6methodEi", NULL, path, sizeof(path),
				 &offset), 0);
	assert_int_equal(offset, by_int);
}

/* Without parameters the name stands for any of its overloads. */
static void a_name_without_parameters_finds_an_overload(void **state)
{
	char path[4096];
	uint64_t offset;

	(void)state;
	assert_int_equal(resolve(both, 2, "ns::Klass::method", NULL, path, sizeof(path), &offset), 0);
	assert_string_equal(path, FIXTURE_CPP);
	assert_true(offset == loader_file_offset(FIXTURE_CPP, "_ZN2ns5Klass6methodEi") ||
		    offset == loader_file_offset(FIXTURE_CPP, "_ZN2ns5Klass6methodEd"));
}

static void reports_names_it_cannot_find(void **state)
{
	char path[4096];
	uint64_t offset;

	(void)state;
	assert_int_equal(resolve(both, 2, "no_such_function", NULL, path, sizeof(path), &offset),
			 -ENOENT);
	/* A prefix of the name, a name short of its namespace, other parameters. */
	assert_int_equal(resolve(both, 2, "ns::Klass::meth", NULL, path, sizeof(path), &offset),
			 -ENOENT);
	assert_int_equal(resolve(both, 2, "Klass::method(int)", NULL, path, sizeof(path), &offset),
			 -ENOENT);
	assert_int_equal(resolve(both, 2, "ns::Klass::method(long)", NULL, path, sizeof(path),
				 &offset), -ENOENT);
	/* Data is not a function. */
	assert_int_equal(resolve(both, 2, "fixture_counter", NULL, path, sizeof(path), &offset),
			 -ENOENT);
	assert_int_equal(resolve(both, 2, "ns::Klass::counter", NULL, path, sizeof(path), &offset),
			 -ENOENT);
	assert_string_equal(path, "");
}

/* :LIB keeps only the files whose name contains LIB; files that are not ELF are passed over. */
static void searches_only_the_named_library(void **state)
{
	const char *const with_junk[] = { "/etc/hostname", "/nonexistent", FIXTURE, FIXTURE_CPP };
	char path[4096];
	uint64_t offset;

	(void)state;
	assert_int_equal(resolve(both, 2, "fixture_add", "fixture_cpp", path, sizeof(path),
				 &offset), -ENOENT);
	assert_int_equal(resolve(both, 2, "fixture_cpp_plain", "fixture_cpp", path, sizeof(path),
				 &offset), 0);
	assert_string_equal(path, FIXTURE_CPP);
	assert_int_equal(resolve(with_junk, 4, "fixture_add", "libfixture.so", path, sizeof(path),
				 &offset), 0);
	assert_string_equal(path, FIXTURE);
	assert_int_equal(offset, loader_file_offset(FIXTURE, "fixture_add"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_a_c_function_at_its_file_offset),
		cmocka_unit_test(finds_a_cpp_method_by_its_demangled_name),
		cmocka_unit_test(a_name_without_parameters_finds_an_overload),
		cmocka_unit_test(reports_names_it_cannot_find),
		cmocka_unit_test(searches_only_the_named_library),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
