/* Hierarchical budgets: "--budget PARENT/NAME=LIMIT" makes NAME a child of the budget whose
 * name is PARENT, given before it. A child's limit is checked on its own; a parent is checked
 * on its own metric, or, for a group (a parent whose name is no metric of its own), on the
 * sum of its children's values. Budgets over processes (processes, pid:, comm:, container:)
 * make trees of their own, checked once per poll over every traced process. */
#ifndef MEMTRACE_ANALYSIS_BUDGET_TREE_H
#define MEMTRACE_ANALYSIS_BUDGET_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/budget.h"

/* The bare size's budget (process RSS) is named this, also as a parent. */
#define BUDGET_PROCESS_NAME "process"
/* The RSS of every traced process together. */
#define BUDGET_ALL_PROCESSES "processes"

struct budget_node {
	int parent;            /* index of the parent budget, -1 for a root */
	int depth;             /* 0 for a root */
	bool group;            /* its value is the sum of its children's */
	bool counts_objects;   /* a Python type's count (a group: its children's unit) */
	bool over_processes;   /* summed over the traced processes, not watched in each one */
	const char *path;      /* the spec's name, or BUDGET_PROCESS_NAME */
	const char *metric;    /* what it measures: the path's part after its parent's "/" */
};

/* Builds nodes[count] from specs. 0, or -EINVAL with a one-line reason in why: a parent not
 * given before its child, a group whose children mix bytes and objects, a tree mixing budgets
 * over processes with a process's own, a pid: that is no number. */
int budget_tree__build(const struct budget_spec *specs, int count, struct budget_node *nodes,
		       char *why, size_t why_size);

/* processes, pid:N, comm:NAME, container:ID: RSS summed over the traced processes that match
 * (a container's id by its prefix). */
bool budget_metric_over_processes(const char *metric);

/* values[] holds each non-group budget's value and known[] whether it has one; fills in the
 * groups' (the sum of their known children; known when one is). */
void budget_tree__sum_groups(const struct budget_node *nodes, int count, double *values,
			     bool *known);

#endif
