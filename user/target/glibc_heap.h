/* What glibc's main arena holds in another process: read from its malloc_state (main_arena,
 * a symbol of libc's debug file, Debian's libc6-dbg) without stopping it. */
#ifndef MEMTRACE_GLIBC_HEAP_H
#define MEMTRACE_GLIBC_HEAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "target/symtab_cache.h"

struct glibc_heap {
	bool arena_known;            /* main_arena was read: the fields below but heap_bytes */
	uint64_t held_bytes;         /* main_arena.system_mem: what it took from brk */
	uint64_t top_bytes;          /* its top chunk: free at the heap's end (trimmable) */
	bool free_known;             /* the free lists were walked: */
	uint64_t free_bytes;         /* free chunks in its bins and fastbins (not the tcaches) */
	uint64_t free_chunks;
	bool free_partial;           /* more chunks than walked, or a list that changed under us */
	bool heap_known;             /* the [heap] mapping of /proc/PID/maps (the brk heap), read
				      * where the arena is not */
	uint64_t heap_bytes;
};

/* Where the main arena lives in one process, found once. */
struct glibc_heap_locator {
	bool tried;                  /* libc was seen mapped, or looked for 5 times */
	unsigned int attempts;
	uint64_t main_arena;         /* 0: not found (no glibc, no debug symbols) */
	bool safe_linking;           /* glibc 2.32+: fastbin links are mangled */
};

/* Finds main_arena in pid's libc, its symbols through cache (shared by the processes that map
 * the same libc): once libc is mapped (a command just launched maps it after exec), later
 * calls return what that one found. */
bool glibc_heap__locate(pid_t pid, struct symtab_cache *cache, struct glibc_heap_locator *loc);
/* Reads the arena when located, else the [heap] mapping's size; false if neither is known.
 * walk_free: also walk its free lists (up to 8,192 chunks, a system call each). */
bool glibc_heap__read(pid_t pid, const struct glibc_heap_locator *loc, bool walk_free,
		      struct glibc_heap *out);

#endif
