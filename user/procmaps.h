/* /proc/PID/maps, parsed. */
#ifndef MEMTRACE_PROCMAPS_H
#define MEMTRACE_PROCMAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct mapping {
	uint64_t start, end;
	uint64_t file_offset;
	uint64_t inode;
	bool readable, writable, executable;
	char *path;                 /* "" for anonymous; "[heap]", "[stack]", ... for special ones */
};

struct procmaps {
	struct mapping *mappings;
	size_t count;
};

/* Parses one line of a maps file; returns false for a malformed line. m->path is malloc'ed. */
bool procmaps__parse_line(const char *line, struct mapping *m);
/* Reads /proc/PID/maps; returns 0 or -errno (-ENOENT: no such process). */
int procmaps__read(pid_t pid, struct procmaps *maps);
int procmaps__read_file(const char *path, struct procmaps *maps);
const struct mapping *procmaps__find(const struct procmaps *maps, uint64_t addr);
void procmaps__free(struct procmaps *maps);

#endif
