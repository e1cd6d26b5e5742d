/* The shared libraries an executable maps at start, as its own dynamic loader resolves them
 * (`INTERP --list EXECUTABLE`, what ldd runs: no code of the program runs): so that probes
 * can be attached to them before the program runs (launch mode). */
#ifndef MEMTRACE_NEEDED_LIBRARIES_H
#define MEMTRACE_NEEDED_LIBRARIES_H

#include <stdbool.h>
#include <stddef.h>

/* The canonical paths (realpath) of the libraries executable maps at start; none for a
 * static executable or when the loader cannot list them. Returns 0 or -errno; free *paths
 * with file_paths__free (target/procmaps.h). */
int needed_libraries__list(const char *executable, char ***paths, size_t *count);

/* One line of the loader's list: "\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x...)" or
 * "\t/lib64/ld-linux-x86-64.so.2 (0x...)" gives the path; "linux-vdso.so.1 (0x...)" and
 * "libfoo.so => not found" none (false). */
bool needed_libraries__parse_line(const char *line, char *path, size_t size);

#endif
