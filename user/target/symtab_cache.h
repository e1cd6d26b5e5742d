/* ELF symbol tables opened once and shared by the attach code and the symbolizer. */
#ifndef MEMTRACE_SYMTAB_CACHE_H
#define MEMTRACE_SYMTAB_CACHE_H

#include "target/elf_symbols.h"

struct symtab_cache;

struct symtab_cache *symtab_cache__new(void);
void symtab_cache__free(struct symtab_cache *cache);
/* The symbols of path (opened on first use), shared by every path to the same file (through
 * /proc/PID/root or not); NULL if it is not a readable ELF file. A failure is remembered
 * too, so an unreadable file is tried once. */
const struct elf_symtab *symtab_cache__get(struct symtab_cache *cache, const char *path,
					   const char *debug_root);
/* The same, remembered under key rather than path: e.g. the file's path and inode as a
 * process maps it, so that it is still found after the process (and its /proc/PID/root)
 * is gone, and shared by every process that maps the same file. */
const struct elf_symtab *symtab_cache__get_keyed(struct symtab_cache *cache, const char *key,
						 const char *path, const char *debug_root);

#endif
