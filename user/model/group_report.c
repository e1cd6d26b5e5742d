// SPDX-License-Identifier: GPL-2.0
#include "model/group_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/report.h"
#include "target/sysctx.h"
#include "util/grow.h"

void group_totals__reset(struct group_totals *t)
{
	t->count = 0;
}

void group_totals__free(struct group_totals *t)
{
	free(t->groups);
	*t = (struct group_totals){ 0 };
}

/* Processes of one container share a group whatever their sub-cgroup; others, their cgroup. */
static bool same_group(const struct group_report *g, const char *cgroup,
		       const struct cgroup_labels *labels)
{
	if (labels->container[0] || g->labels.container[0])
		return !strcmp(g->labels.container, labels->container);
	return !strcmp(g->cgroup, cgroup);
}

static struct group_report *group_of(struct group_totals *t, const char *cgroup,
				     const struct cgroup_labels *labels)
{
	struct group_report *g;

	for (size_t i = 0; i < t->count; i++)
		if (same_group(&t->groups[i], cgroup, labels))
			return &t->groups[i];
	if (grow_for_one((void **)&t->groups, &t->capacity, t->count, sizeof(*t->groups)))
		return NULL;
	g = &t->groups[t->count++];
	*g = (struct group_report){ .labels = *labels };
	snprintf(g->cgroup, sizeof(g->cgroup), "%s", cgroup);
	return g;
}

static void add_system(struct group_report *g, const struct system_context *c)
{
	if (c && c->pss_known) {
		g->pss_processes++;
		g->pss_bytes += c->pss_bytes;
	}
	/* The cgroup's own figures: counted once a group (its first process with them). */
	if (c && c->cgroup_known && !g->cgroup_memory_known) {
		g->cgroup_memory_known = true;
		g->cgroup_memory_bytes = c->cgroup_current;
		g->cgroup_memory_limit_known = c->cgroup_max_known;
		g->cgroup_memory_limit_bytes = c->cgroup_max;
	}
}

int group_totals__add(struct group_totals *t, const struct process_report *r)
{
	const char *cgroup = r->system && r->system->cgroup[0] ? r->system->cgroup : "";
	struct cgroup_labels labels = { 0 };
	struct group_report *g;

	cgroup_labels__parse(cgroup, &labels);
	g = group_of(t, cgroup, &labels);
	if (!g)
		return -ENOMEM;
	g->processes++;
	g->rss_bytes += r->rss_bytes;
	g->mmaps += r->mmap.mmaps;
	g->bytes_mapped += r->mmap.bytes_mapped;
	g->bytes_unmapped += r->mmap.bytes_unmapped;
	if (r->native_traced) {
		g->native_processes++;
		g->native_live_bytes += native_live_bytes(&r->native);
		g->native_allocs += r->native.allocs;
		g->native_frees += r->native.frees;
	}
	if (r->python && r->python->objects_known) {
		g->python_processes++;
		g->python_objects += r->python->objects;
		g->python_object_bytes += r->python->object_bytes;
	}
	add_system(g, r->system);
	return 0;
}
