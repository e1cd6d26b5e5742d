/* The census: the target's live GC-tracked objects per type, read from its GC generation
 * lists with process_vm_readv while it runs. */
#ifndef MEMTRACE_PYCENSUS_H
#define MEMTRACE_PYCENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/python/detect.h"
#include "target/python/remote.h"

#define PY_TYPE_NAME_MAX 64

struct py_type_count {
	uint64_t type_addr;
	char name[PY_TYPE_NAME_MAX]; /* type(o).__name__ */
	uint64_t live;
	uint64_t live_bytes;         /* tp_basicsize + tp_itemsize * |ob_size| + GC header */
};

struct py_gc_stats {
	uint64_t collections[3], collected[3], uncollectable[3];
};

struct py_census {
	struct py_type_count *types; /* merged by name, most live first */
	size_t count, capacity;
	uint64_t objects, bytes;
	uint64_t invalid;            /* objects whose type failed validation: not counted */
	bool partial;                /* a list changed under us or memory ran short */
	bool stats_ok;
	struct py_gc_stats gc;       /* the interpreter's own cumulative GC statistics */
	bool arenas_ok;
	uint64_t arena_bytes;        /* pymalloc arenas in use * arena size */
	uint64_t duration_ns;
	size_t syscalls;
};

/* What tells cheaply that a census would find what the last one found: the generation
 * lists' heads (first and last object) and counters (the young generation's counts every
 * GC-tracked allocation and free), and the GC statistics. */
#define PY_GC_FINGERPRINT_BYTES 128
struct py_gc_fingerprint {
	unsigned char generations[PY_GC_FINGERPRINT_BYTES];
	uint64_t collections[3];
	bool valid;
};

/* Reads it now (two reads of the target's memory, uncached). */
void py_census__fingerprint(const struct py_target *t, struct py_gc_fingerprint *fp);
/* Both valid and alike. */
bool py_gc_fingerprint__same(const struct py_gc_fingerprint *a, const struct py_gc_fingerprint *b);

/* Takes a census now. Returns 0, or -ESRCH when the process is gone, -EAGAIN when the
 * interpreter is not readable (finalizing, not initialized). */
int py_census__take(const struct py_target *t, struct remote_mem *m, struct py_census *c);
/* Reads only the GC statistics and arena count (cheap), through m's cache: reset it first
 * for figures fresher than the last walk. */
int py_census__stats(const struct py_target *t, struct py_census *c);
void py_census__free(struct py_census *c);
/* type(o).__name__ from tp_name: the part after the last dot unless it is a heap type. */
void py_type_short_name(const char *tp_name, bool heap_type, char *out, size_t size);
/* True for a name a type could have: printable, non-empty, not too long. */
bool py_type_name_valid(const char *name);

#endif
