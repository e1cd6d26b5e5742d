// SPDX-License-Identifier: GPL-2.0
#include "target/symtab_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/grow.h"

struct cache_entry {
	char *key;
	struct elf_symtab *tab;      /* NULL: not an ELF file we could read */
};

struct symtab_cache {
	struct cache_entry *entries;
	size_t count, capacity;
};

struct symtab_cache *symtab_cache__new(void)
{
	return calloc(1, sizeof(struct symtab_cache));
}

void symtab_cache__free(struct symtab_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < cache->count; i++) {
		free(cache->entries[i].key);
		elf_symtab__free(cache->entries[i].tab);
	}
	free(cache->entries);
	free(cache);
}

/* path#inode, the key the symbolizer uses for a mapping, with a leading /proc/PID/root taken
 * off: every process that maps one file shares its symbols (a libc's debug symbols are
 * ~1 MiB: once per traced process would make a host's worth of processes cost GiBs). */
static void file_key(const char *path, char *key, size_t size)
{
	const char *as_mapped = path;
	struct stat st;
	int end = 0;

	if (sscanf(path, "/proc/%*u/root%n", &end) == 0 && end && path[end] == '/')
		as_mapped = path + end;
	if (stat(path, &st))
		snprintf(key, size, "%s", path);
	else
		snprintf(key, size, "%s#%llu", as_mapped, (unsigned long long)st.st_ino);
}

const struct elf_symtab *symtab_cache__get(struct symtab_cache *cache, const char *path,
					   const char *debug_root)
{
	char key[4160];

	file_key(path, key, sizeof(key));
	return symtab_cache__get_keyed(cache, key, path, debug_root);
}

const struct elf_symtab *symtab_cache__get_keyed(struct symtab_cache *cache, const char *key,
						 const char *path, const char *debug_root)
{
	struct cache_entry *entry;

	for (size_t i = 0; i < cache->count; i++)
		if (!strcmp(cache->entries[i].key, key))
			return cache->entries[i].tab;
	if (grow_for_one((void **)&cache->entries, &cache->capacity, cache->count,
			 sizeof(*cache->entries)))
		return NULL;
	entry = &cache->entries[cache->count];
	entry->key = strdup(key);
	if (!entry->key)
		return NULL;
	entry->tab = elf_symtab__open(path, debug_root);
	cache->count++;
	return entry->tab;
}
