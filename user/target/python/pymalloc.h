/* What pymalloc holds in a running CPython: its arenas, their pools in use and free, and the
 * bytes of the blocks in use, read from the arena table (arena_object[maxarenas]) and the
 * pools' headers as sys._debugmallocstats() counts them. */
#ifndef MEMTRACE_PYMALLOC_H
#define MEMTRACE_PYMALLOC_H

#include <stdbool.h>
#include <stdint.h>

struct py_target;

struct pymalloc_usage {
	bool known;                  /* the arena table was read */
	uint64_t arenas;             /* arenas in use */
	uint64_t arena_bytes;        /* ... times the arena size */
	uint64_t pools_used;         /* pools of those arenas holding blocks */
	uint64_t pools_free;         /* pools of those arenas holding none (or never used) */
	uint64_t pool_size;
	bool blocks_known;           /* the used pools' headers were read: */
	uint64_t block_bytes;        /* blocks in use times their size class */
	bool blocks_partial;         /* more pools than read, or the table changed under us */
};

/* Reads it now (the interpreter keeps running). False when the version's table cannot be
 * found; out->known says the same. */
bool pymalloc__read(const struct py_target *t, struct pymalloc_usage *out);

#endif
