/* Scope flags (--cgroup, --all, --comm, --exe): an argp child of the command line. */
#ifndef MEMTRACE_SCOPE_CLI_H
#define MEMTRACE_SCOPE_CLI_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>

struct scope_options {
	const char **cgroups;        /* --cgroup, as given */
	size_t cgroup_count;
	bool all;                    /* --all: every process of the host */
	const char **comms;          /* --comm: only processes of these names */
	size_t comm_count;
	const char **exes;           /* --exe: only these executables (a path, or a file name) */
	size_t exe_count;
};

extern const struct argp scope_argp;

static inline bool scope_options__on(const struct scope_options *o)
{
	return o->cgroup_count || o->all;
}

void scope_options__free(struct scope_options *o);

#endif
