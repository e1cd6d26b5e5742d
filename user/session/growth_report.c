// SPDX-License-Identifier: GPL-2.0
#include "session/growth_report.h"

#include <stdlib.h>
#include <string.h>

#include "probes/alloc/alloc_stacks.h"
#include "probes/python/python_tracer.h"
#include "util/grow.h"

void growth_report__name_new(struct python_tracer *pt, const struct heap_growth_snapshot *snap,
			     pid_t pid)
{
	size_t n;
	const struct heap_growth_entry *e = heap_growth__of(snap, pid, &n);

	for (size_t i = 0; i < n; i++)
		if (e[i].key.py_stack_id >= 0)
			python_tracer__python_stack(pt, pid, e[i].key.py_stack_id);
}

/* A group: one Python stack (py_id >= 0), or one native stack of threads without Python. */
struct growth_group {
	int py_id, native_id;        /* native_id: the group's largest entry's */
	uint64_t bytes, events;
	unsigned int kinds;
};

static int by_bytes_desc(const void *a, const void *b)
{
	const struct growth_group *x = a, *y = b;

	return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

static struct growth_group *find_group(struct growth_group *g, size_t n,
				       const struct heap_growth_key *k)
{
	for (size_t i = 0; i < n; i++)
		if (k->py_stack_id >= 0 ? g[i].py_id == k->py_stack_id :
		    g[i].py_id < 0 && g[i].native_id == k->native_stack_id)
			return &g[i];
	return NULL;
}

void growth_report__fill(struct process_report *r, const struct heap_growth_snapshot *snap,
			 struct alloc_tracer *at, struct python_tracer *pt, struct symbolizer *sym,
			 size_t top)
{
	size_t n, count = 0, cap = 0;
	const struct heap_growth_entry *e = heap_growth__of(snap, r->pid, &n);
	struct growth_group *groups = NULL, *g;

	r->growth_known = true;
	r->growth_lost = r->mmap.growth_dropped;
	/* Entries come most bytes first: a group's first entry is its largest. The groups are
	 * as many as the distinct stacks that grew the heap: rare events, a short list. */
	for (size_t i = 0; i < n; i++) {
		g = find_group(groups, count, &e[i].key);
		if (!g) {
			if (grow_for_one((void **)&groups, &cap, count, sizeof(*groups)))
				break;
			g = &groups[count++];
			*g = (struct growth_group){ .py_id = e[i].key.py_stack_id < 0 ? -1 :
						    e[i].key.py_stack_id,
						    .native_id = e[i].key.native_stack_id };
		}
		g->bytes += e[i].stats.bytes;
		g->events += e[i].stats.events;
		g->kinds |= 1u << e[i].key.kind;
	}
	if (count)   /* no growth: groups is NULL, which qsort may not get */
		qsort(groups, count, sizeof(*groups), by_bytes_desc);
	if (count > top)
		count = top;
	r->growth = count ? calloc(count, sizeof(*r->growth)) : NULL;
	for (size_t i = 0; r->growth && i < count; i++) {
		struct heap_growth_report *out = &r->growth[r->growth_count++];
		const struct python_stack *py = python_tracer__python_stack(pt, r->pid,
									    groups[i].py_id);

		out->bytes = groups[i].bytes;
		out->events = groups[i].events;
		out->kinds = groups[i].kinds;
		if (py)
			python_stack__copy(&out->python, py);
		if (groups[i].native_id >= 0)
			alloc_stacks__symbolize(at, sym, groups[i].native_id, &out->frames, NULL,
						&out->depth);
	}
	free(groups);
}
