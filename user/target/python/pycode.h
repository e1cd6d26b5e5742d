/* Names a Python frame recorded by the BPF walk (include/python_stack.h): a code object's
 * qualified name, file and the line of an instruction, read from the target's memory with
 * the version's offsets. Decoded code objects are cached per address; every resolve
 * re-reads the object's identifying fields, so a freed code object whose address is reused
 * by another one is decoded afresh (those reads are as fresh as the remote_mem's last reset).
 * Bounded: at most PYCODE_CACHE_MAX entries and PYCODE_TABLE_BYTES_MAX bytes of line tables
 * (least recently used out first); a table longer than PYCODE_LINETABLE_MAX is cut. */
#ifndef MEMTRACE_PYCODE_H
#define MEMTRACE_PYCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/python/detect.h"
#include "target/python/pyversion.h"
#include "target/python/remote.h"

#define PYCODE_CACHE_MAX 4096
#define PYCODE_LINETABLE_MAX 65536
#define PYCODE_TABLE_BYTES_MAX (8u << 20)

struct py_frame_loc {
	char function[160];
	char file[512];
	int line;                    /* -1: unknown */
};

struct pycode_cache;

struct pycode_cache *pycode_cache__new(void);
void pycode_cache__free(struct pycode_cache *c);
/* A frame as the BPF walk recorded it: code object address and f_lasti (<= 3.10: bytes in
 * 3.8/3.9, code units in 3.10) or the instruction pointer (3.11+: prev_instr / 3.13
 * instr_ptr, inside co_code_adaptive). False when the code object is not readable or not a
 * code object. */
bool pycode__resolve(struct pycode_cache *c, struct remote_mem *m, const struct py_target *t,
		     uint64_t code, uint64_t instr, struct py_frame_loc *out);
/* The same with a byte offset into the bytecode (what instr turns into). */
bool pycode__resolve_offset(struct pycode_cache *c, struct remote_mem *m, const struct py_target *t,
			    uint64_t code, int64_t byte_offset, struct py_frame_loc *out);
/* The line of byte offset in a line table of the given kind (-1: none); offsets before the
 * start give firstlineno. Pure: unit-tested on tables captured from each version. */
int pycode__line_of(enum py_line_table kind, const uint8_t *table, size_t size, int firstlineno,
		    int64_t byte_offset);
/* Cache use, for tests: entries held and decodes done since creation. */
size_t pycode_cache__entries(const struct pycode_cache *c);
size_t pycode_cache__decodes(const struct pycode_cache *c);

#endif
