// SPDX-License-Identifier: GPL-2.0
#include "analysis/budget_tree.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool budget_metric_over_processes(const char *metric)
{
	return !strcmp(metric, BUDGET_ALL_PROCESSES) || has_prefix(metric, "pid:") ||
	       has_prefix(metric, "comm:") || has_prefix(metric, "container:");
}

/* gpu (every device's GPU live bytes) or gpu:N (device N's). */
static bool metric_is_gpu(const char *metric)
{
	return has_prefix(metric, "gpu") && (!metric[3] || metric[3] == ':');
}

/* stack:, lib:, gpu, a bare size and the RSS of processes measure bytes; a type (type:T or a
 * bare T) counts objects. */
static bool metric_counts_objects(const char *metric, bool bare_size)
{
	return !bare_size && !has_prefix(metric, "stack:") && !has_prefix(metric, "lib:") &&
	       !metric_is_gpu(metric) && !budget_metric_over_processes(metric);
}

/* A name with one of these prefixes has a metric of its own, even with children. */
static bool metric_is_explicit(const char *metric, bool bare_size)
{
	return bare_size || has_prefix(metric, "stack:") || has_prefix(metric, "lib:") ||
	       has_prefix(metric, "type:") || metric_is_gpu(metric) ||
	       budget_metric_over_processes(metric);
}

/* The longest earlier path that name starts with, followed by '/' (of a name given twice,
 * with two limits, the later one); -1 if none. */
static int find_parent(const struct budget_node *nodes, int before, const char *name)
{
	size_t best_len = 0;
	int best = -1;

	for (int i = 0; i < before; i++) {
		size_t len = strlen(nodes[i].path);

		if (len >= best_len && !strncmp(name, nodes[i].path, len) && name[len] == '/') {
			best = i;
			best_len = len;
		}
	}
	return best;
}

static bool valid_pid(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	return !errno && !*end && v > 0 && v <= INT32_MAX;
}

static int mixes_scopes(const char *path, char *why, size_t why_size)
{
	snprintf(why, why_size, "budget %s: cannot mix budgets over processes (%s, pid:, comm:, "
		 "container:) with budgets of each process", path, BUDGET_ALL_PROCESSES);
	return -EINVAL;
}

static int last_child(const struct budget_node *nodes, int count, int parent)
{
	for (int i = count - 1; i > parent; i--)
		if (nodes[i].parent == parent)
			return i;
	return -1;
}

int budget_tree__build(const struct budget_spec *specs, int count, struct budget_node *nodes,
		       char *why, size_t why_size)
{
	for (int i = 0; i < count; i++) {
		bool bare = !specs[i].name;
		const char *path = bare ? BUDGET_PROCESS_NAME : specs[i].name;
		struct budget_node *n = &nodes[i];

		*n = (struct budget_node){ .parent = -1, .path = path, .metric = path };
		n->parent = find_parent(nodes, i, path);
		if (n->parent >= 0) {
			n->metric = path + strlen(nodes[n->parent].path) + 1;
			n->depth = nodes[n->parent].depth + 1;
		} else if (strchr(path, '/') && !has_prefix(path, "lib:")) {
			/* lib:NAME may be a path; anything else with a '/' names a parent */
			snprintf(why, why_size, "budget %s: no budget %.*s given before it", path,
				 (int)(strrchr(path, '/') - path), path);
			return -EINVAL;
		}
		if (!*n->metric) {
			snprintf(why, why_size, "budget %s: empty name under its parent", path);
			return -EINVAL;
		}
		n->counts_objects = metric_counts_objects(n->metric, bare);
		n->over_processes = !bare && budget_metric_over_processes(n->metric);
		if (has_prefix(n->metric, "pid:") && !valid_pid(n->metric + 4)) {
			snprintf(why, why_size, "budget %s: pid:N takes a process id", path);
			return -EINVAL;
		}
		if (n->parent >= 0 && !metric_is_explicit(nodes[n->parent].metric,
							  !specs[n->parent].name))
			nodes[n->parent].group = true;
	}
	/* A group measures what its children do; children come after their parents, so from
	 * the last one a group's unit is known before its own parent's is checked. */
	for (int i = count - 1; i >= 0; i--) {
		const struct budget_node *child = &nodes[i];
		struct budget_node *parent = child->parent >= 0 ? &nodes[child->parent] : NULL;

		if (!parent || !parent->group)
			continue;
		if (i != last_child(nodes, count, child->parent) &&
		    parent->counts_objects != child->counts_objects) {
			snprintf(why, why_size, "budget %s: a group sums its children, which cannot "
				 "mix bytes and objects", parent->path);
			return -EINVAL;
		}
		if (i != last_child(nodes, count, child->parent) &&
		    parent->over_processes != child->over_processes)
			return mixes_scopes(parent->path, why, why_size);
		parent->counts_objects = child->counts_objects;
		parent->over_processes = child->over_processes;
	}
	/* What a group sums is known only now: each parent with a metric of its own is checked
	 * against its children. */
	for (int i = 0; i < count; i++)
		if (nodes[i].parent >= 0 && !nodes[nodes[i].parent].group &&
		    nodes[nodes[i].parent].over_processes != nodes[i].over_processes)
			return mixes_scopes(nodes[nodes[i].parent].path, why, why_size);
	return 0;
}

void budget_tree__sum_groups(const struct budget_node *nodes, int count, double *values,
			     bool *known)
{
	for (int i = 0; i < count; i++)
		if (nodes[i].group) {
			values[i] = 0;
			known[i] = false;
		}
	/* Children come after their parents: from the last, a group's children are summed
	 * (their own groups included) before it is added to its own parent. */
	for (int i = count - 1; i >= 0; i--) {
		int parent = nodes[i].parent;

		if (parent >= 0 && nodes[parent].group && known[i]) {
			values[parent] += values[i];
			known[parent] = true;
		}
	}
}
