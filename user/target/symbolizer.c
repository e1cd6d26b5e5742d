// SPDX-License-Identifier: GPL-2.0
#include "target/symbolizer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void symbolizer__init(struct symbolizer *s, pid_t pid, struct symtab_cache *cache)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->cache = cache;
	snprintf(s->root, sizeof(s->root), "/proc/%d/root", (int)pid);
}

/* The symbols of the file behind m, opened through the process's root while it lives. */
static const struct elf_symtab *mapping_symbols(struct symbolizer *s, const struct mapping *m)
{
	char path[4096], key[4160];

	if (m == s->last_mapping)
		return s->last_symbols;
	snprintf(key, sizeof(key), "%s#%llu", m->path, (unsigned long long)m->inode);
	process_file_path(s->pid, m->path, path, sizeof(path));
	s->last_mapping = m;
	s->last_symbols = symtab_cache__get_keyed(s->cache, key, path, s->root);
	return s->last_symbols;
}

int symbolizer__refresh(struct symbolizer *s)
{
	struct procmaps fresh;
	int err = procmaps__read(s->pid, &fresh);

	if (err)
		return err;
	/* A process that is exiting can show an empty maps file: keep what we had. */
	if (fresh.count == 0) {
		procmaps__free(&fresh);
		return 0;
	}
	procmaps__free(&s->maps);
	s->maps = fresh;
	s->last_mapping = NULL;
	/* Open every code file now: once the process exits they can no longer be reached. */
	for (size_t i = 0; i < s->maps.count; i++)
		if (s->maps.mappings[i].executable && s->maps.mappings[i].path[0] == '/')
			mapping_symbols(s, &s->maps.mappings[i]);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

void symbolizer__resolve(struct symbolizer *s, uint64_t ip, struct frame_site *site)
{
	const struct mapping *m = procmaps__find(&s->maps, ip);
	const struct elf_symbol *sym = NULL;
	const struct elf_symtab *tab;
	uint64_t vaddr;

	*site = (struct frame_site){ .mapping = m };
	if (!m || m->path[0] != '/')
		return;
	site->offset = ip - m->start + m->file_offset;
	tab = mapping_symbols(s, m);
	if (tab && elf_symtab__offset_to_vaddr(tab, site->offset, &vaddr))
		sym = elf_symtab__symbolize(tab, vaddr);
	if (sym) {
		site->function = sym->name;
		site->offset = vaddr - sym->vaddr;
	}
}

void frame_site__format(const struct frame_site *site, uint64_t ip, char *buf, size_t size)
{
	const struct mapping *m = site->mapping;

	if (!m || m->path[0] != '/')
		snprintf(buf, size, "0x%" PRIx64 "%s%s", ip, m && m->path[0] ? " " : "",
			 m ? m->path : "");
	else if (site->function)
		snprintf(buf, size, "%s+0x%" PRIx64 " (%s)", site->function, site->offset,
			 base_name(m->path));
	else
		snprintf(buf, size, "%s+0x%" PRIx64, base_name(m->path), site->offset);
}

void symbolizer__release(struct symbolizer *s)
{
	procmaps__free(&s->maps);
	s->last_mapping = NULL;
}
