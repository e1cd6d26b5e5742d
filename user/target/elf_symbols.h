/* Symbols of one ELF file (its .symtab and .dynsym, plus a separate debug file found by
 * build-id or .gnu_debuglink), for attaching by name and for symbolizing addresses. */
#ifndef MEMTRACE_ELF_SYMBOLS_H
#define MEMTRACE_ELF_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_symbol {
	const char *name;
	uint64_t vaddr;
	uint64_t size;
	bool is_function;
};

struct elf_segment {
	uint64_t vaddr, memsz;
	uint64_t file_offset, filesz;
	bool executable;
};

struct elf_symtab {
	char *path;
	char *debug_path;            /* separate debug file whose .symtab was merged, or NULL */
	char build_id[41];           /* hex, "" when the file has none */
	bool is_pie_or_shared;       /* ET_DYN: addresses are relative to the load base */
	bool has_full_symtab;        /* a .symtab was found (in the file or its debug file) */
	struct elf_symbol *by_addr;  /* sorted by vaddr */
	struct elf_symbol *by_name;  /* the same symbols sorted by name */
	size_t count;
	struct elf_segment *segments;
	size_t segment_count;
	char *strings;               /* storage for every name */
};

/* Opens path and reads its symbols; debug files are searched under debug_root (e.g.
 * "/proc/PID/root" for a file seen inside a container; NULL or "" for this root).
 * Returns NULL with errno set on failure (ENOEXEC: not an ELF file). */
struct elf_symtab *elf_symtab__open(const char *path, const char *debug_root);
void elf_symtab__free(struct elf_symtab *tab);

/* Finds a symbol by name. Compiler clones count as the symbol itself: "gc_collect_main"
 * matches "gc_collect_main.lto_priv.0" or ".constprop.0", never ".cold". Exact names win.
 * functions_only skips data objects. */
const struct elf_symbol *elf_symtab__find(const struct elf_symtab *tab, const char *name,
					  bool functions_only);
/* The symbol containing vaddr (or the nearest one below it when sizes are unknown). */
const struct elf_symbol *elf_symtab__symbolize(const struct elf_symtab *tab, uint64_t vaddr);

/* Conversions through the PT_LOAD segments; false if no segment covers the address. */
bool elf_symtab__vaddr_to_offset(const struct elf_symtab *tab, uint64_t vaddr, uint64_t *offset);
bool elf_symtab__offset_to_vaddr(const struct elf_symtab *tab, uint64_t offset, uint64_t *vaddr);

/* True when name is base plus a compiler clone suffix (.lto_priv.N, .constprop.N, .isra.N, .part.N). */
bool elf_symbol_is_clone_of(const char *name, const char *base);

#endif
