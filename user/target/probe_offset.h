/* Where inside a function to put an entry uprobe so that the kernel emulates the probed
 * instruction instead of single-stepping it (on x86-64 a single-stepped hit costs ~10x more).
 * The instructions are decoded with Capstone. */
#ifndef MEMTRACE_PROBE_OFFSET_H
#define MEMTRACE_PROBE_OFFSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/elf_symbols.h"

struct probe_site {
	uint64_t delta;              /* bytes past the function's entry; 0: the entry */
	bool emulated;               /* the probed instruction is one the kernel emulates */
	const char *why;             /* one phrase: how the site was chosen (static string) */
};

/* Chooses the site from the function's code: code[0] is at vaddr, len bytes of it (the whole
 * function where its size is known). With skip_null_arg0, a leading "test %rdi,%rdi; je" pair
 * may be stepped over: calls with a NULL first argument are then not seen (right for free(),
 * whose NULL calls are ignored anyway). Only instructions that change no argument register are
 * stepped over, and a site that some branch of the function jumps to is never chosen. Anything
 * not recognised keeps the entry. */
struct probe_site probe_offset__choose(const uint8_t *code, size_t len, uint64_t vaddr,
				       bool skip_null_arg0);

/* The same for sym in the ELF file path (whose symbols are tab): reads the function's bytes
 * from the file. The entry (delta 0) when they cannot be read or the architecture is not
 * x86-64. */
struct probe_site probe_offset__for_symbol(const char *path, const struct elf_symtab *tab,
					   const struct elf_symbol *sym, bool skip_null_arg0);

#endif
