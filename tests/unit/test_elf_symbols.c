/* ELF symbol lookup against a library this build made (tests/unit/fixtures/libfixture.c),
 * with the dynamic loader as ground truth for addresses. */
#include <dlfcn.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "target/elf_symbols.h"

#define FIXTURE FIXTURE_DIR "/libfixture.so"
#define STRIPPED FIXTURE_DIR "/libfixture-stripped.so"
#define DEBUG_ROOT FIXTURE_DIR "/debugroot"

/* The vaddr the loader used for name: its address minus the library's load base. */
static uint64_t loader_vaddr(void *handle, const char *name)
{
	struct link_map *map;
	void *addr = dlsym(handle, name);

	assert_non_null(addr);
	assert_int_equal(dlinfo(handle, RTLD_DI_LINKMAP, &map), 0);
	return (uint64_t)(uintptr_t)addr - map->l_addr;
}

static void finds_exported_functions_and_data_where_the_loader_does(void **state)
{
	struct elf_symtab *tab = elf_symtab__open(FIXTURE, NULL);
	void *handle = dlopen(FIXTURE, RTLD_NOW);
	const struct elf_symbol *sym;

	(void)state;
	assert_non_null(tab);
	assert_non_null(handle);
	assert_true(tab->is_pie_or_shared);
	assert_true(tab->has_full_symtab);
	sym = elf_symtab__find(tab, "fixture_add", true);
	assert_non_null(sym);
	assert_true(sym->is_function);
	assert_int_equal(sym->vaddr, loader_vaddr(handle, "fixture_add"));
	sym = elf_symtab__find(tab, "fixture_counter", false);
	assert_non_null(sym);
	assert_false(sym->is_function);
	assert_int_equal(sym->size, sizeof(int));
	assert_int_equal(sym->vaddr, loader_vaddr(handle, "fixture_counter"));
	assert_null(elf_symtab__find(tab, "fixture_counter", true));
	assert_null(elf_symtab__find(tab, "no_such_symbol", false));
	dlclose(handle);
	elf_symtab__free(tab);
}

/* The bytes at the computed file offset are the function's first bytes in memory. */
static void file_offsets_point_at_the_code(void **state)
{
	struct elf_symtab *tab = elf_symtab__open(FIXTURE, NULL);
	void *handle = dlopen(FIXTURE, RTLD_NOW);
	unsigned char on_disk[16];
	uint64_t offset, back;
	FILE *f;

	(void)state;
	assert_true(elf_symtab__vaddr_to_offset(tab, elf_symtab__find(tab, "fixture_add", true)->vaddr,
						&offset));
	f = fopen(FIXTURE, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)offset, SEEK_SET), 0);
	assert_int_equal(fread(on_disk, 1, sizeof(on_disk), f), sizeof(on_disk));
	fclose(f);
	assert_memory_equal(on_disk, dlsym(handle, "fixture_add"), sizeof(on_disk));
	assert_true(elf_symtab__offset_to_vaddr(tab, offset, &back));
	assert_int_equal(back, elf_symtab__find(tab, "fixture_add", true)->vaddr);
	assert_false(elf_symtab__vaddr_to_offset(tab, 0xffffffffffull, &offset));
	dlclose(handle);
	elf_symtab__free(tab);
}

static void symbolizes_addresses_inside_functions(void **state)
{
	struct elf_symtab *tab = elf_symtab__open(FIXTURE, NULL);
	const struct elf_symbol *add = elf_symtab__find(tab, "fixture_add", true);
	const struct elf_symbol *hit;

	(void)state;
	hit = elf_symtab__symbolize(tab, add->vaddr + add->size / 2);
	assert_non_null(hit);
	assert_string_equal(hit->name, "fixture_add");
	hit = elf_symtab__symbolize(tab, add->vaddr);
	assert_string_equal(hit->name, "fixture_add");
	/* A static function is only in .symtab. */
	assert_non_null(elf_symtab__find(tab, "fixture_helper_impl", true));
	elf_symtab__free(tab);
}

/* Stripped: .dynsym only, and the static function comes back from the build-id debug file. */
static void merges_the_build_id_debug_file(void **state)
{
	struct elf_symtab *bare = elf_symtab__open(STRIPPED, "/nonexistent");
	struct elf_symtab *tab = elf_symtab__open(STRIPPED, DEBUG_ROOT);
	struct elf_symtab *full = elf_symtab__open(FIXTURE, NULL);

	(void)state;
	assert_non_null(bare);
	assert_false(bare->has_full_symtab);
	assert_non_null(elf_symtab__find(bare, "fixture_add", true));
	assert_null(elf_symtab__find(bare, "fixture_helper_impl", true));
	assert_int_equal(strlen(bare->build_id), 40);

	assert_non_null(tab);
	assert_true(tab->has_full_symtab);
	assert_non_null(tab->debug_path);
	assert_non_null(strstr(tab->debug_path, "/.build-id/"));
	assert_int_equal(elf_symtab__find(tab, "fixture_helper_impl", true)->vaddr,
			 elf_symtab__find(full, "fixture_helper_impl", true)->vaddr);
	elf_symtab__free(bare);
	elf_symtab__free(tab);
	elf_symtab__free(full);
}

static void matches_compiler_clones_but_not_cold_parts(void **state)
{
	(void)state;
	assert_true(elf_symbol_is_clone_of("gc_collect_main.lto_priv.0", "gc_collect_main"));
	assert_true(elf_symbol_is_clone_of("f.constprop.12", "f"));
	assert_true(elf_symbol_is_clone_of("f.isra.0", "f"));
	assert_true(elf_symbol_is_clone_of("f.part.3", "f"));
	assert_false(elf_symbol_is_clone_of("f.cold", "f"));
	assert_false(elf_symbol_is_clone_of("f", "f"));
	assert_false(elf_symbol_is_clone_of("fg.constprop.0", "f"));
	assert_false(elf_symbol_is_clone_of("g.constprop.0", "f"));
}

static void rejects_files_that_are_not_elf(void **state)
{
	(void)state;
	assert_null(elf_symtab__open("/etc/hostname", NULL));
	assert_null(elf_symtab__open("/nonexistent/file", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_exported_functions_and_data_where_the_loader_does),
		cmocka_unit_test(file_offsets_point_at_the_code),
		cmocka_unit_test(symbolizes_addresses_inside_functions),
		cmocka_unit_test(merges_the_build_id_debug_file),
		cmocka_unit_test(matches_compiler_clones_but_not_cold_parts),
		cmocka_unit_test(rejects_files_that_are_not_elf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
