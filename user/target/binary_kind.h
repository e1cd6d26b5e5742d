/* What kind of program an ELF file holds, as far as tracing its allocator goes. */
#ifndef MEMTRACE_BINARY_KIND_H
#define MEMTRACE_BINARY_KIND_H

#include <stdbool.h>

struct binary_kind {
	bool go;                     /* built by Go: a .go.buildinfo or .note.go.buildid section */
	bool dynamic;                /* has an interpreter (PT_INTERP): maps a libc at run time */
};

/* Reads path's section names and program headers. Returns 0 or -errno (-ENOEXEC: not an
 * ELF file). */
int binary_kind__read(const char *path, struct binary_kind *kind);

#endif
