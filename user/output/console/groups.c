// SPDX-License-Identifier: GPL-2.0
/* A scope's per-container totals: a line per group after each poll's process lines. */
#include <inttypes.h>

#include "model/group_report.h"
#include "output/console/console_sections.h"

static void write_group(FILE *f, const struct group_report *g)
{
	char a[32], b[32];

	if (g->labels.container[0])
		fprintf(f, "container %.12s", g->labels.container);
	else
		fprintf(f, "cgroup %s", g->cgroup[0] ? g->cgroup : "(unknown)");
	if (g->labels.pod[0])
		fprintf(f, " (pod %s)", g->labels.pod);
	fprintf(f, ": %u processes, rss %s", g->processes,
		console_bytes((double)g->rss_bytes, a, sizeof(a)));
	if (group_report__sum_known(g->native_processes, g))
		fprintf(f, ", native live %s", console_bytes((double)g->native_live_bytes, a,
							     sizeof(a)));
	if (g->python_processes)
		fprintf(f, ", %" PRIu64 " Python objects in %u processes", g->python_objects,
			g->python_processes);
	if (g->cgroup_memory_known) {
		fprintf(f, ", cgroup memory %s", console_bytes((double)g->cgroup_memory_bytes, a,
							      sizeof(a)));
		if (g->cgroup_memory_limit_known)
			fprintf(f, " of %s", console_bytes((double)g->cgroup_memory_limit_bytes,
							   b, sizeof(b)));
	}
	fputc('\n', f);
}

void console_write_groups(FILE *f, const struct group_totals *t)
{
	for (size_t i = 0; i < t->count; i++)
		write_group(f, &t->groups[i]);
	fflush(f);
}
