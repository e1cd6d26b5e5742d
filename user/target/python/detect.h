/* Finds the CPython interpreter in a running process: the file that holds it (the
 * executable or a mapped libpython), its exact version, and the addresses the collectors
 * read. */
#ifndef MEMTRACE_PYDETECT_H
#define MEMTRACE_PYDETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "target/elf_symbols.h"
#include "target/python/pyversion.h"
#include "target/python/remote.h"
#include "target/symtab_cache.h"

enum py_detect {
	PY_DETECT_OK,
	PY_DETECT_NOT_PYTHON,        /* no interpreter in the process */
	PY_DETECT_NOT_READY,         /* an interpreter, not initialized yet: try again later */
	PY_DETECT_UNSUPPORTED,       /* a version or build we cannot read: see why */
	PY_DETECT_GONE,              /* the process exited */
};

struct py_target {
	pid_t pid;
	struct pyversion version;
	char version_str[24];        /* "3.11.2" */
	struct py_offsets off;       /* the table's, corrected by _Py_DebugOffsets where present */
	char path[4096];             /* the file as the process maps it */
	char open_path[4200];        /* the same through /proc/PID/root */
	const struct elf_symtab *tab;/* borrowed from the cache */
	uint64_t bias;               /* run-time address = ELF vaddr + bias */
	uint64_t runtime_addr;       /* &_PyRuntime */
	uint64_t type_type_addr;     /* &PyType_Type */
	uint64_t code_type_addr;     /* &PyCode_Type: what a code object's ob_type points at */
	uint64_t narenas_addr;       /* &narenas_currently_allocated (before 3.12), or 0 */
	bool has_debug_offsets;      /* 3.13+: read from _PyRuntime.debug_offsets */
	bool has_debug_stack_offsets;/* ... including the stack walk's (off.stack) */
	unsigned int debug_stack_mismatches; /* of those, where our table said otherwise */
};

/* Looks for the interpreter in pid. On anything but PY_DETECT_OK, why says what is missing
 * (and how to get it) in one line. */
enum py_detect py_target__detect(pid_t pid, struct symtab_cache *cache, struct py_target *t,
				 char *why, size_t why_size);
/* The address of the GC state (_gc_runtime_state) of the main interpreter, read now. */
bool py_target__gc_state(const struct py_target *t, uint64_t *addr);
/* True while the interpreter runs: readable, and Py_FinalizeEx has not begun tearing it
 * down (_PyRuntime._finalizing is set before the modules and their objects go). */
bool py_target__running(const struct py_target *t);
/* The run-time address of a symbol of the interpreter's file (clones count), or 0. */
uint64_t py_target__symbol(const struct py_target *t, const char *name, bool functions_only);

#endif
