// SPDX-License-Identifier: GPL-2.0
/* glibc's struct malloc_state on x86-64 (2.27 to 2.39; checked with gdb's ptype/o against
 * Debian's 2.36): mutex, flags, have_fastchunks, fastbinsY[10] at 16, top at 96, bins[254]
 * at 112, system_mem at 2184, 2200 bytes in all. A chunk's size field is 8 bytes into it,
 * its forward link 16. */
#include "target/glibc_heap.h"

#include <stdio.h>
#include <string.h>

#include "target/elf_symbols.h"
#include "target/procmaps.h"
#include "target/python/remote.h"

#define ARENA_SIZE 2200
#define ARENA_FASTBINS 16
#define FASTBIN_COUNT 10
#define ARENA_TOP 96
#define ARENA_BINS 112
#define BIN_COUNT 127                /* bins 1..127 (unsorted, small, large) */
#define ARENA_SYSTEM_MEM 2184
#define CHUNK_SIZE_MASK (~(uint64_t)7)
/* Chunks walked at most per read (one system call each): a fragmented heap has many; the
 * rest is "partial". */
#define MAX_WALK 8192
/* A process with no libc mapped after this many looks (static, musl) has none. */
#define LOCATE_ATTEMPTS 5

static bool is_libc(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "libc.so.6", 9) || !strncmp(base, "libc-2.", 7);
}

bool glibc_heap__locate(pid_t pid, struct symtab_cache *cache, struct glibc_heap_locator *loc)
{
	struct procmaps maps = { 0 };
	char path[4200], root[64], key[4300];

	if (loc->tried)
		return loc->main_arena != 0;
	loc->tried = ++loc->attempts == LOCATE_ATTEMPTS;
	if (procmaps__read(pid, &maps))
		return false;
	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	for (size_t i = 0; i < maps.count; i++) {
		const struct mapping *m = &maps.mappings[i];
		const struct elf_symbol *sym;
		const struct elf_symtab *tab;
		uint64_t vaddr;

		if (!is_libc(m->path))
			continue;
		loc->tried = true;
		process_file_path(pid, m->path, path, sizeof(path));
		snprintf(key, sizeof(key), "%s:%llu", m->path, (unsigned long long)m->inode);
		tab = symtab_cache__get_keyed(cache, key, path, root);
		if (!tab)
			break;
		sym = elf_symtab__find(tab, "main_arena", false);
		if (sym && sym->size == ARENA_SIZE &&
		    elf_symtab__offset_to_vaddr(tab, m->file_offset, &vaddr)) {
			loc->main_arena = m->start - vaddr + sym->vaddr;
			loc->safe_linking = elf_symtab__find(tab, "__libc_single_threaded", false);
		}
		break;
	}
	procmaps__free(&maps);
	return loc->main_arena != 0;
}

static uint64_t u64_at(const unsigned char *state, size_t offset)
{
	uint64_t v;

	memcpy(&v, state + offset, sizeof(v));
	return v;
}

/* Sums one free list: bins end back at their header, fastbins at NULL (their links mangled
 * with the link's own address since 2.32). */
static void walk_list(pid_t pid, uint64_t first, uint64_t end, bool mangled, uint64_t held,
		      struct glibc_heap *out)
{
	uint64_t chunk = first;

	while (chunk && chunk != end) {
		uint64_t size_link[2];   /* the chunk's size and forward link: one read */

		if (out->free_chunks >= MAX_WALK ||
		    !remote_read_direct(pid, chunk + 8, size_link, sizeof(size_link)) ||
		    (size_link[0] & CHUNK_SIZE_MASK) > held) {
			out->free_partial = true;
			return;
		}
		out->free_bytes += size_link[0] & CHUNK_SIZE_MASK;
		out->free_chunks++;
		chunk = mangled ? ((chunk + 16) >> 12) ^ size_link[1] : size_link[1];
	}
}

static bool read_arena(pid_t pid, const struct glibc_heap_locator *loc, bool walk_free,
		       struct glibc_heap *out)
{
	unsigned char state[ARENA_SIZE];
	uint64_t top, top_size;

	if (!loc->main_arena || !remote_read_direct(pid, loc->main_arena, state, sizeof(state)))
		return false;
	out->held_bytes = u64_at(state, ARENA_SYSTEM_MEM);
	top = u64_at(state, ARENA_TOP);
	if (!top || !remote_read_direct(pid, top + 8, &top_size, sizeof(top_size)) ||
	    (top_size & CHUNK_SIZE_MASK) > out->held_bytes)
		return false;
	out->top_bytes = top_size & CHUNK_SIZE_MASK;
	if (!walk_free)
		return true;
	out->free_known = true;
	for (int i = 0; i < FASTBIN_COUNT; i++)
		walk_list(pid, u64_at(state, ARENA_FASTBINS + 8 * i), 0, loc->safe_linking,
			  out->held_bytes, out);
	for (int b = 1; b <= BIN_COUNT; b++) {
		/* bin_at(b): a fake chunk whose fd and bk are bins[2(b-1)] and bins[2(b-1)+1] */
		uint64_t header = loc->main_arena + ARENA_BINS + 16 * (b - 1) - 16;

		walk_list(pid, u64_at(state, ARENA_BINS + 16 * (b - 1)), header, false,
			  out->held_bytes, out);
	}
	return true;
}

static bool read_heap_mapping(pid_t pid, struct glibc_heap *out)
{
	struct procmaps maps = { 0 };

	if (procmaps__read(pid, &maps))
		return false;
	for (size_t i = 0; i < maps.count; i++)
		if (!strcmp(maps.mappings[i].path, "[heap]")) {
			out->heap_known = true;
			out->heap_bytes += maps.mappings[i].end - maps.mappings[i].start;
		}
	procmaps__free(&maps);
	return out->heap_known;
}

bool glibc_heap__read(pid_t pid, const struct glibc_heap_locator *loc, bool walk_free,
		      struct glibc_heap *out)
{
	memset(out, 0, sizeof(*out));
	out->arena_known = read_arena(pid, loc, walk_free, out);
	if (out->arena_known)
		return true;
	memset(out, 0, sizeof(*out));
	return read_heap_mapping(pid, out);
}
