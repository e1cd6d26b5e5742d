// SPDX-License-Identifier: GPL-2.0
#include "target/procmaps.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/grow.h"

bool procmaps__parse_line(const char *line, struct mapping *m)
{
	char perms[5];
	unsigned int dev_major, dev_minor;
	int path_at = 0;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n",
		   &m->start, &m->end, perms, &m->file_offset, &dev_major, &dev_minor,
		   &m->inode, &path_at) < 7 || path_at == 0)
		return false;
	if (strlen(perms) != 4 || m->end < m->start)
		return false;
	m->readable = perms[0] == 'r';
	m->writable = perms[1] == 'w';
	m->executable = perms[2] == 'x';
	m->path = strndup(line + path_at, strcspn(line + path_at, "\n"));
	return m->path != NULL;
}

int procmaps__read_file(const char *path, struct procmaps *maps)
{
	size_t capacity = 0, line_cap = 0;
	char *line = NULL;
	int err = 0;
	FILE *f;

	maps->mappings = NULL;
	maps->count = 0;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &line_cap, f) > 0) {
		struct mapping m;

		if (!procmaps__parse_line(line, &m))
			continue;
		if (grow_for_one((void **)&maps->mappings, &capacity, maps->count,
				 sizeof(*maps->mappings))) {
			free(m.path);
			err = -ENOMEM;
			break;
		}
		maps->mappings[maps->count++] = m;
	}
	free(line);
	fclose(f);
	if (err)
		procmaps__free(maps);
	return err;
}

int procmaps__read(pid_t pid, struct procmaps *maps)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	return procmaps__read_file(path, maps);
}

const struct mapping *procmaps__find(const struct procmaps *maps, uint64_t addr)
{
	size_t lo = 0, hi = maps->count;

	/* The kernel lists mappings sorted by address and never overlapping. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mapping *m = &maps->mappings[mid];

		if (addr < m->start)
			hi = mid;
		else if (addr >= m->end)
			lo = mid + 1;
		else
			return m;
	}
	return NULL;
}

void procmaps__free(struct procmaps *maps)
{
	for (size_t i = 0; i < maps->count; i++)
		free(maps->mappings[i].path);
	free(maps->mappings);
	maps->mappings = NULL;
	maps->count = 0;
}

void process_file_path(pid_t pid, const char *path, char *buf, size_t size)
{
	/* maps names a file as this program sees it: inside the target's root when the target
	 * lives in another mount namespace (a container), from our root when it was merely
	 * chrooted. The first that exists is it. */
	snprintf(buf, size, "/proc/%d/root%s", (int)pid, path);
	if (access(buf, F_OK) && !access(path, F_OK))
		snprintf(buf, size, "%s", path);
}

static bool listed(char *const *paths, size_t count, const char *path)
{
	for (size_t i = 0; i < count; i++)
		if (!strcmp(paths[i], path))
			return true;
	return false;
}

int procmaps__files_to_probe(pid_t pid, const char *const *modules, char ***paths,
			     size_t *count)
{
	struct procmaps maps = { 0 };
	size_t room = 0;
	int err = 0;

	*count = 0;
	if (modules) {
		while (modules[room])
			room++;
	} else {
		err = procmaps__read(pid, &maps);
		if (err)
			return err;
		room = maps.count;
	}
	*paths = calloc(room + 1, sizeof(char *));
	for (size_t i = 0; *paths && !err && i < room; i++) {
		const char *file = modules ? modules[i] : NULL;
		char path[4096];

		if (!modules) {
			const struct mapping *m = &maps.mappings[i];

			if (!m->executable || m->path[0] != '/')
				continue;
			process_file_path(pid, m->path, path, sizeof(path));
			if (listed(*paths, *count, path))
				continue;
			file = path;
		}
		(*paths)[*count] = strdup(file);
		if ((*paths)[*count])
			++*count;
		else
			err = -ENOMEM;
	}
	procmaps__free(&maps);
	if (!*paths || err) {
		file_paths__free(*paths, *count);
		*paths = NULL;
		*count = 0;
		return -ENOMEM;
	}
	return 0;
}

void file_paths__free(char **paths, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(paths[i]);
	free(paths);
}
