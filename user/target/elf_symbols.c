// SPDX-License-Identifier: GPL-2.0
#include "target/elf_symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

/* Symbols while they are being collected: names are offsets into a growing string pool. */
struct collector {
	struct elf_symbol *syms;
	size_t *name_offsets;
	size_t count, capacity;
	char *pool;
	size_t pool_len, pool_cap;
};

static int collector__add(struct collector *c, const char *name, const GElf_Sym *sym)
{
	size_t len = strlen(name) + 1;

	if (c->count == c->capacity) {
		size_t cap = c->capacity ? c->capacity * 2 : 1024;
		struct elf_symbol *syms = realloc(c->syms, cap * sizeof(*syms));
		size_t *offsets;

		if (!syms)
			return -ENOMEM;
		c->syms = syms;
		offsets = realloc(c->name_offsets, cap * sizeof(*offsets));
		if (!offsets)
			return -ENOMEM;
		c->name_offsets = offsets;
		c->capacity = cap;
	}
	if (c->pool_len + len > c->pool_cap) {
		size_t cap = c->pool_cap ? c->pool_cap * 2 : 65536;
		char *pool;

		while (cap < c->pool_len + len)
			cap *= 2;
		pool = realloc(c->pool, cap);
		if (!pool)
			return -ENOMEM;
		c->pool = pool;
		c->pool_cap = cap;
	}
	memcpy(c->pool + c->pool_len, name, len);
	c->name_offsets[c->count] = c->pool_len;
	c->pool_len += len;
	c->syms[c->count++] = (struct elf_symbol){
		.vaddr = sym->st_value,
		.size = sym->st_size,
		.is_function = GELF_ST_TYPE(sym->st_info) != STT_OBJECT,
	};
	return 0;
}

static int collect_symbols(Elf *elf, Elf64_Word section_type, struct collector *c)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != section_type || !shdr.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		for (size_t i = 0; i < shdr.sh_size / shdr.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			int type;

			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			type = GELF_ST_TYPE(sym.st_info);
			if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_OBJECT)
				continue;
			name = elf_strptr(elf, shdr.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			if (collector__add(c, name, &sym))
				return -ENOMEM;
		}
	}
	return 0;
}

static bool has_section_type(Elf *elf, Elf64_Word type)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	while ((scn = elf_nextscn(elf, scn)) != NULL)
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == type)
			return true;
	return false;
}

static Elf_Data *section_data_by_name(Elf *elf, const char *wanted)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && !strcmp(name, wanted))
			return elf_getdata(scn, NULL);
	}
	return NULL;
}

static void read_build_id(Elf *elf, char hex[41])
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	hex[0] = '\0';
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *data;
		GElf_Nhdr nhdr;
		size_t offset = 0, name_at, desc_at;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((offset = gelf_getnote(data, offset, &nhdr, &name_at, &desc_at)) > 0) {
			const unsigned char *desc = (const unsigned char *)data->d_buf + desc_at;

			if (nhdr.n_type != NT_GNU_BUILD_ID || nhdr.n_namesz != 4 ||
			    memcmp((const char *)data->d_buf + name_at, "GNU", 4) || nhdr.n_descsz > 20)
				continue;
			for (size_t i = 0; i < nhdr.n_descsz; i++)
				sprintf(hex + 2 * i, "%02x", desc[i]);
			return;
		}
	}
}

static int read_segments(Elf *elf, struct elf_symtab *tab)
{
	size_t phnum;

	if (elf_getphdrnum(elf, &phnum))
		return -ENOEXEC;
	tab->segments = calloc(phnum ? phnum : 1, sizeof(*tab->segments));
	if (!tab->segments)
		return -ENOMEM;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr phdr;

		if (!gelf_getphdr(elf, (int)i, &phdr) || phdr.p_type != PT_LOAD)
			continue;
		tab->segments[tab->segment_count++] = (struct elf_segment){
			.vaddr = phdr.p_vaddr, .memsz = phdr.p_memsz,
			.file_offset = phdr.p_offset, .filesz = phdr.p_filesz,
			.executable = phdr.p_flags & PF_X,
		};
	}
	return 0;
}

static Elf *open_elf(const char *path, int *fd)
{
	Elf *elf;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	elf = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		close(*fd);
		errno = ENOEXEC;
		return NULL;
	}
	return elf;
}

static bool file_exists(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The places gdb looks for a separate debug file. */
static char *find_debug_file(Elf *elf, const char *path, const char *build_id, const char *root)
{
	char candidate[4096], dir[4096];
	Elf_Data *link;
	const char *slash;

	if (!root)
		root = "";
	if (build_id[0]) {
		snprintf(candidate, sizeof(candidate), "%s/usr/lib/debug/.build-id/%.2s/%s.debug",
			 root, build_id, build_id + 2);
		if (file_exists(candidate))
			return strdup(candidate);
	}
	link = section_data_by_name(elf, ".gnu_debuglink");
	if (!link || !link->d_size || !memchr(link->d_buf, '\0', link->d_size))
		return NULL;
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
	const char *formats[] = { "%s/%s", "%s/.debug/%s", "/usr/lib/debug%s/%s" };
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		snprintf(candidate, sizeof(candidate), formats[i], dir, (const char *)link->d_buf);
		if (file_exists(candidate) && strcmp(candidate, path))
			return strdup(candidate);
	}
	return NULL;
}

static int compare_by_addr(const void *a, const void *b)
{
	const struct elf_symbol *x = a, *y = b;

	if (x->vaddr != y->vaddr)
		return x->vaddr < y->vaddr ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int compare_by_name(const void *a, const void *b)
{
	const struct elf_symbol *x = a, *y = b;
	int cmp = strcmp(x->name, y->name);

	if (cmp)
		return cmp;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* Sorts, drops the duplicates that .symtab and .dynsym share, and builds the name index. */
static int finish_symbols(struct elf_symtab *tab, struct collector *c)
{
	size_t kept = 0;

	tab->strings = c->pool;
	for (size_t i = 0; i < c->count; i++)
		c->syms[i].name = c->pool + c->name_offsets[i];
	free(c->name_offsets);
	if (c->count)   /* qsort and memcpy want non-NULL pointers even for 0 elements */
		qsort(c->syms, c->count, sizeof(*c->syms), compare_by_addr);
	for (size_t i = 0; i < c->count; i++) {
		if (kept && c->syms[kept - 1].vaddr == c->syms[i].vaddr &&
		    !strcmp(c->syms[kept - 1].name, c->syms[i].name))
			continue;
		c->syms[kept++] = c->syms[i];
	}
	tab->by_addr = c->syms;
	tab->count = kept;
	tab->by_name = malloc((kept ? kept : 1) * sizeof(*tab->by_name));
	if (!tab->by_name)
		return -ENOMEM;
	if (kept) {
		memcpy(tab->by_name, tab->by_addr, kept * sizeof(*tab->by_name));
		qsort(tab->by_name, kept, sizeof(*tab->by_name), compare_by_name);
	}
	return 0;
}

static int load_debug_symbols(struct elf_symtab *tab, Elf *elf, const char *debug_root,
			      struct collector *c)
{
	Elf *debug_elf;
	int fd, err;

	tab->debug_path = find_debug_file(elf, tab->path, tab->build_id, debug_root);
	if (!tab->debug_path)
		return 0;
	debug_elf = open_elf(tab->debug_path, &fd);
	if (!debug_elf) {
		free(tab->debug_path);
		tab->debug_path = NULL;
		return 0;
	}
	err = collect_symbols(debug_elf, SHT_SYMTAB, c);
	tab->has_full_symtab = has_section_type(debug_elf, SHT_SYMTAB);
	elf_end(debug_elf);
	close(fd);
	return err;
}

struct elf_symtab *elf_symtab__open(const char *path, const char *debug_root)
{
	struct collector c = { 0 };
	struct elf_symtab *tab;
	GElf_Ehdr ehdr;
	int fd, err = -ENOMEM;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = EINVAL;
		return NULL;
	}
	elf = open_elf(path, &fd);
	if (!elf)
		return NULL;
	tab = calloc(1, sizeof(*tab));
	if (!tab || !(tab->path = strdup(path)))
		goto out;
	err = -ENOEXEC;
	if (!gelf_getehdr(elf, &ehdr))
		goto out;
	tab->is_pie_or_shared = ehdr.e_type == ET_DYN;
	read_build_id(elf, tab->build_id);
	err = read_segments(elf, tab);
	if (!err)
		err = collect_symbols(elf, SHT_SYMTAB, &c);
	if (!err)
		err = collect_symbols(elf, SHT_DYNSYM, &c);
	tab->has_full_symtab = has_section_type(elf, SHT_SYMTAB);
	if (!err && !tab->has_full_symtab)
		err = load_debug_symbols(tab, elf, debug_root, &c);
	if (!err)
		err = finish_symbols(tab, &c);
	c.pool = NULL;
	c.syms = NULL;
	c.name_offsets = NULL;
out:
	free(c.syms);
	free(c.name_offsets);
	free(c.pool);
	elf_end(elf);
	close(fd);
	if (err) {
		elf_symtab__free(tab);
		errno = -err;
		return NULL;
	}
	return tab;
}

void elf_symtab__free(struct elf_symtab *tab)
{
	if (!tab)
		return;
	free(tab->path);
	free(tab->debug_path);
	free(tab->by_addr);
	free(tab->by_name);
	free(tab->segments);
	free(tab->strings);
	free(tab);
}

bool elf_symbol_is_clone_of(const char *name, const char *base)
{
	static const char *const suffixes[] = { ".lto_priv.", ".constprop.", ".isra.", ".part." };
	size_t len = strlen(base);

	if (strncmp(name, base, len) || name[len] != '.')
		return false;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (!strncmp(name + len, suffixes[i], strlen(suffixes[i])))
			return true;
	return false;
}

const struct elf_symbol *elf_symtab__find(const struct elf_symtab *tab, const char *name,
					  bool functions_only)
{
	size_t lo = 0, hi = tab->count, len = strlen(name);
	const struct elf_symbol *clone = NULL;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(tab->by_name[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Exact matches sort first, then "name." clones. */
	for (size_t i = lo; i < tab->count && !strncmp(tab->by_name[i].name, name, len); i++) {
		const struct elf_symbol *sym = &tab->by_name[i];

		if (functions_only && !sym->is_function)
			continue;
		if (sym->name[len] == '\0')
			return sym;
		if (!clone && elf_symbol_is_clone_of(sym->name, name))
			clone = sym;
	}
	return clone;
}

const struct elf_symbol *elf_symtab__symbolize(const struct elf_symtab *tab, uint64_t vaddr)
{
	size_t lo = 0, hi = tab->count;
	const struct elf_symbol *best = NULL, *nearest = NULL;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tab->by_addr[mid].vaddr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* The nearest function at or below vaddr, if it contains vaddr or has no size (an
	 * assembler label such as _start); never a farther one. */
	for (size_t i = lo; i-- > 0;) {
		const struct elf_symbol *sym = &tab->by_addr[i];

		if (!sym->is_function)
			continue;
		if (sym->size && vaddr < sym->vaddr + sym->size)
			return sym;
		if (!nearest)
			nearest = sym;
		else if (sym->vaddr != nearest->vaddr)
			break;
		/* A label is trusted only nearby: past the last function lies data. */
		if (!sym->size && !best && vaddr - sym->vaddr < 0x10000)
			best = sym;
	}
	return best;
}

bool elf_symtab__vaddr_to_offset(const struct elf_symtab *tab, uint64_t vaddr, uint64_t *offset)
{
	for (size_t i = 0; i < tab->segment_count; i++) {
		const struct elf_segment *s = &tab->segments[i];

		if (vaddr >= s->vaddr && vaddr < s->vaddr + s->filesz) {
			*offset = vaddr - s->vaddr + s->file_offset;
			return true;
		}
	}
	return false;
}

bool elf_symtab__offset_to_vaddr(const struct elf_symtab *tab, uint64_t offset, uint64_t *vaddr)
{
	for (size_t i = 0; i < tab->segment_count; i++) {
		const struct elf_segment *s = &tab->segments[i];

		if (offset >= s->file_offset && offset < s->file_offset + s->filesz) {
			*vaddr = offset - s->file_offset + s->vaddr;
			return true;
		}
	}
	return false;
}
