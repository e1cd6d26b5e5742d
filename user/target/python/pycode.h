/* Names a Python frame as the BPF walk recorded it (include/python_stack.h): its code
 * object's qualified name and file, and the line of its instruction from the version's line
 * table, read from the target's memory. Pure reading: no BPF. */
#ifndef MEMTRACE_PYCODE_H
#define MEMTRACE_PYCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/python/detect.h"
#include "target/python/remote.h"

struct py_frame_loc {
	char function[160];          /* co_qualname (3.11+), else co_name */
	char file[512];              /* co_filename */
	int line;                    /* -1: unknown */
};

/* Code objects named so far in one process, by address. */
struct pycode_cache;

struct pycode_cache *pycode_cache__new(void);
void pycode_cache__free(struct pycode_cache *c);
/* A frame as recorded: code object address and f_lasti (3.8/3.9: bytes, 3.10: code units)
 * or the instruction pointer (3.11+: prev_instr, 3.13: instr_ptr). False when the code
 * object is unreadable or is no code object (freed since). */
bool pycode__resolve(struct pycode_cache *c, struct remote_mem *m, const struct py_target *t,
		     uint64_t code, uint64_t instr, struct py_frame_loc *out);
/* The same with a byte offset into the bytecode (-1: the frame has not started). */
bool pycode__resolve_offset(struct pycode_cache *c, struct remote_mem *m, const struct py_target *t,
			    uint64_t code, int64_t byte_offset, struct py_frame_loc *out);

/* The line of byte offset in a line table of the given kind (pyversion.h); -1: none. Pure:
 * unit-tested on tables captured from each version. */
int pycode__line_of(enum py_line_table kind, const unsigned char *table, size_t size,
		    int firstlineno, int64_t byte_offset);
/* A str object's text as UTF-8 (compact objects: every str a code object holds). */
bool pycode__read_str(struct remote_mem *m, const struct py_stack_offsets *o, uint64_t addr,
		      char *buf, size_t size);

#endif
