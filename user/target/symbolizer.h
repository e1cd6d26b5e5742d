/* Turns addresses in a traced process into "function+0xoff (module)". */
#ifndef MEMTRACE_SYMBOLIZER_H
#define MEMTRACE_SYMBOLIZER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "target/procmaps.h"
#include "target/symtab_cache.h"

struct symbolizer {
	pid_t pid;
	struct procmaps maps;        /* the latest mappings seen; kept after the process exits */
	struct symtab_cache *cache;  /* borrowed */
	char root[64];               /* /proc/PID/root: files as the process sees them */
	/* The symbols of the mapping the last frame was in: a stack's frames come in runs of
	 * one file, and finding a file's symbols costs a path lookup. Reset by a refresh. */
	const struct mapping *last_mapping;
	const struct elf_symtab *last_symbols;
};

void symbolizer__init(struct symbolizer *s, pid_t pid, struct symtab_cache *cache);
/* Re-reads the mappings; keeps the previous ones if the process is gone. */
int symbolizer__refresh(struct symbolizer *s);
/* What ip is in the process: the parts of a frame (pprof's Location wants them apart). */
struct frame_site {
	const struct mapping *mapping;  /* NULL: in no mapping; else borrowed from s->maps */
	const char *function;           /* NULL: no symbol covers ip; else borrowed from the cache */
	uint64_t offset;                /* from the function's start; without one, in the file */
};

void symbolizer__resolve(struct symbolizer *s, uint64_t ip, struct frame_site *site);
/* Writes site, ip's, as a readable frame into buf: "function+0xoff (module)". */
void frame_site__format(const struct frame_site *site, uint64_t ip, char *buf, size_t size);
void symbolizer__release(struct symbolizer *s);

#endif
