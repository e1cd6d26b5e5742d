/* Event mode's sites: instances made per type and Python stack (bpf/python.bpf.c's
 * py_sites), read for one process. */
#ifndef MEMTRACE_PYTHON_SITES_H
#define MEMTRACE_PYTHON_SITES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "python.h"

struct py_site {
	int py_stack_id;
	char name[PY_EVENT_NAME_LEN];   /* tp_name, as the probe read it */
	struct py_site_stats stats;
};

struct python_sites {
	struct py_site *items;          /* most live bytes first */
	size_t count, capacity;
	uint64_t dropped;               /* instances counted per type but not per site */
};

/* Replaces s's sites with pid's, ranked. counters_fd: py_counters (per CPU), for the drops.
 * Returns 0, or -errno (s unchanged). */
int python_sites__read(struct python_sites *s, int sites_fd, int counters_fd, int ncpus,
		       pid_t pid);
void python_sites__free(struct python_sites *s);

#endif
