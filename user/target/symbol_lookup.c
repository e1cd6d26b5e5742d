// SPDX-License-Identifier: GPL-2.0
#include "target/symbol_lookup.h"

#include <errno.h>
#include <libiberty/demangle.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool lib_matches(const char *path, const char *lib)
{
	const char *base = strrchr(path, '/');

	return !lib || strstr(base ? base + 1 : path, lib);
}

/* "ns::Cls::read(int)" or "ns::Cls::read" against a mangled symbol name. */
static bool demangled_matches(const char *mangled, const char *want)
{
	char *d;
	bool match = false;

	if (mangled[0] != '_' || mangled[1] != 'Z')
		return false;
	d = cplus_demangle(mangled, DMGL_PARAMS | DMGL_ANSI);
	if (!d)
		return false;
	if (!strcmp(d, want)) {
		match = true;
	} else if (!strchr(want, '(')) {
		char *paren = strchr(d, '(');

		match = paren && (size_t)(paren - d) == strlen(want) && !strncmp(d, want, paren - d);
	}
	free(d);
	return match;
}

static const struct elf_symbol *find_function(const struct elf_symtab *tab, const char *name)
{
	const struct elf_symbol *sym = elf_symtab__find(tab, name, true);

	if (sym)
		return sym;
	for (size_t i = 0; i < tab->count; i++) {
		const struct elf_symbol *s = &tab->by_name[i];

		if (s->is_function && s->vaddr && demangled_matches(s->name, name))
			return s;
	}
	return NULL;
}

int symbol_lookup__resolve(struct symtab_cache *cache, const char *const *paths, size_t count,
			   const char *symbol, const char *lib, char *path, size_t path_size,
			   uint64_t *offset)
{
	for (size_t i = 0; i < count; i++) {
		const struct elf_symtab *tab;
		const struct elf_symbol *sym;

		if (!paths[i] || !lib_matches(paths[i], lib))
			continue;
		tab = symtab_cache__get(cache, paths[i], NULL);
		if (!tab || !(sym = find_function(tab, symbol)))
			continue;
		if (!elf_symtab__vaddr_to_offset(tab, sym->vaddr, offset))
			continue;
		snprintf(path, path_size, "%s", paths[i]);
		return 0;
	}
	return -ENOENT;
}
