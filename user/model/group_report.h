/* Per-container totals: the processes of one poll summed by the container their cgroup names
 * (or, where it names none, by their cgroup). Plain data; the scopes' outputs write a line per
 * group after each poll (docs/json.md "container lines"). */
#ifndef MEMTRACE_GROUP_REPORT_H
#define MEMTRACE_GROUP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/cgroup_labels.h"

struct process_report;

/* A sum is known only where every process of the group has the figure (*_processes counts
 * those that have it; a partial sum would read as a smaller container). */
struct group_report {
	char cgroup[512];            /* the first process's cgroup path ("" when unknown) */
	struct cgroup_labels labels;
	unsigned int processes;
	uint64_t rss_bytes;
	unsigned int pss_processes;
	uint64_t pss_bytes;
	uint64_t mmaps, bytes_mapped, bytes_unmapped;   /* since each process's attach */
	unsigned int native_processes;                 /* whose allocator counts are known */
	uint64_t native_live_bytes, native_allocs, native_frees;
	unsigned int python_processes;                 /* with a census */
	uint64_t python_objects, python_object_bytes;
	bool cgroup_memory_known;                      /* the cgroup's memory.current */
	uint64_t cgroup_memory_bytes;
	bool cgroup_memory_limit_known;                /* false: "max", or unknown */
	uint64_t cgroup_memory_limit_bytes;
};

struct group_totals {
	struct group_report *groups;
	size_t count, capacity;
};

/* Empties the table for the next poll (keeps its memory). */
void group_totals__reset(struct group_totals *t);
/* Adds a running process's report to its group: 0, or -ENOMEM. */
int group_totals__add(struct group_totals *t, const struct process_report *r);
void group_totals__free(struct group_totals *t);

static inline bool group_report__sum_known(unsigned int have, const struct group_report *g)
{
	return have && have == g->processes;
}

#endif
