// SPDX-License-Identifier: GPL-2.0
#include "cli/scope_cli.h"

#include <stdlib.h>

#include "cli/cli.h"
#include "util/grow.h"

enum { OPT_CGROUP = 0x300, OPT_ALL, OPT_COMM, OPT_EXE };

static const struct argp_option scope_flags[] = {
	{ "cgroup", OPT_CGROUP, "PATH|ID", 0,
	  "Trace every process of this cgroup v2 group and its descendants, also those started "
	  "later (repeatable): a directory under the cgroup2 mount, a path as /proc/PID/cgroup "
	  "shows it, or a container id (or its prefix) or pod uid found there. Only the "
	  "production-safe collectors run (as --light)", 0 },
	{ "all", OPT_ALL, NULL, 0,
	  "Trace every process of the host (with --comm/--exe: those that match), as --light", 0 },
	{ "comm", OPT_COMM, "NAME", 0,
	  "With --cgroup or --all: only processes of this name (/proc/PID/comm; repeatable)", 0 },
	{ "exe", OPT_EXE, "PATH", 0,
	  "With --cgroup or --all: only processes running this executable (a full path, or a "
	  "file name; repeatable)", 0 },
	{ 0 },
};

static void add(const char ***list, size_t *count, const char *arg, const char *flag)
{
	size_t capacity = *count;   /* grown by one each time: a handful of flags */

	if (grow_for_one((void **)list, &capacity, *count, sizeof(**list)))
		cli__usage_error("out of memory for --%s %s", flag, arg);
	(*list)[(*count)++] = arg;
}

static error_t parse_scope(int key, char *arg, struct argp_state *state)
{
	struct scope_options *o = state->input;

	switch (key) {
	case OPT_CGROUP:
		if (!*arg)
			cli__usage_error("invalid --cgroup: empty");
		add(&o->cgroups, &o->cgroup_count, arg, "cgroup");
		break;
	case OPT_ALL:
		o->all = true;
		break;
	case OPT_COMM:
		if (!*arg)
			cli__usage_error("invalid --comm: empty");
		add(&o->comms, &o->comm_count, arg, "comm");
		break;
	case OPT_EXE:
		if (!*arg)
			cli__usage_error("invalid --exe: empty");
		add(&o->exes, &o->exe_count, arg, "exe");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp scope_argp = { scope_flags, parse_scope, NULL, NULL, NULL, NULL, NULL };

void scope_options__free(struct scope_options *o)
{
	free(o->cgroups);
	free(o->comms);
	free(o->exes);
}
