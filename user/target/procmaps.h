/* /proc/PID/maps, parsed, and the files it names. */
#ifndef MEMTRACE_PROCMAPS_H
#define MEMTRACE_PROCMAPS_H

#include <stdbool.h>
#include <stddef.h>
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

/* The path to open for a file that the process maps: through /proc/PID/root, so files
 * inside another mount namespace (a container) are found too; as is for a chrooted process,
 * whose maps already show paths from our root. */
void process_file_path(pid_t pid, const char *path, char *buf, size_t size);
/* The files to probe in pid: modules (NULL-terminated) as given, or else each file-backed
 * executable mapping once, as process_file_path opens it. Returns 0 or -errno (-ENOENT: no
 * such process); free *paths with file_paths__free. */
int procmaps__files_to_probe(pid_t pid, const char *const *modules, char ***paths,
			     size_t *count);
void file_paths__free(char **paths, size_t count);

#endif
