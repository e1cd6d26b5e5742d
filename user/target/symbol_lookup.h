/* A function found by name in a list of ELF files (the files a process maps), for attaching
 * a probe to it by file offset. */
#ifndef MEMTRACE_SYMBOL_LOOKUP_H
#define MEMTRACE_SYMBOL_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "target/symtab_cache.h"

/* Finds the function SYMBOL in the first of paths (only those whose file name contains lib,
 * when lib is not NULL) that defines it: by its name (compiler clones included), else by its
 * demangled C++ name, with the parameters ("ns::Klass::method(int)") or without them
 * ("ns::Klass::method": the first overload). Fills path with that file and *offset with the
 * function's file offset. Returns 0, or -ENOENT when no file defines it. */
int symbol_lookup__resolve(struct symtab_cache *cache, const char *const *paths, size_t count,
			   const char *symbol, const char *lib, char *path, size_t path_size,
			   uint64_t *offset);

#endif
