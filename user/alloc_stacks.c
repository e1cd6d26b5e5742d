// SPDX-License-Identifier: GPL-2.0
/* Reading bpf/alloc.bpf.c's stack and outstanding maps: the stacks holding live memory, the
 * per-interval marks the spike and leak analysis follow, and allocations older than
 * --leak-age; every stack symbolized on demand. More of the alloc triplet's user half. */
#include "alloc_stacks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "alloc.h"
#include "grow.h"

/* --- stacks by id --------------------------------------------------------------------- */

void alloc_stacks__symbolize(struct alloc_tracer *alloc, struct symbolizer *sym, int stack_id,
			     char ***frames, size_t *depth)
{
	int fd = alloc_tracer__map_fd(alloc, "stacks");
	struct stack_trace trace;
	__u32 id = (__u32)stack_id;
	char frame[512];

	*depth = 0;
	if (stack_id < 0 || fd < 0 || bpf_map_lookup_elem(fd, &id, &trace))
		return;
	*frames = calloc(ALLOC_MAX_STACK_DEPTH, sizeof(char *));
	if (!*frames)
		return;
	for (; *depth < trace.depth && *depth < ALLOC_MAX_STACK_DEPTH; ++*depth) {
		symbolizer__frame(sym, trace.ips[*depth], frame, sizeof(frame));
		(*frames)[*depth] = strdup(frame);
	}
}

/* --- outstanding allocations older than --leak-age ---------------------------------- */

static int by_bytes_desc(const void *a, const void *b)
{
	const struct aged_report *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return (x->stack_id > y->stack_id) - (x->stack_id < y->stack_id);
}

int outstanding__aged(struct alloc_tracer *alloc, pid_t pid, uint64_t min_age_ns,
		      struct symbolizer *sym, size_t top, struct aged_report **out, size_t *count)
{
	int fd = alloc_tracer__map_fd(alloc, "outstanding");
	struct outstanding_key key, next, *prev = NULL;
	struct aged_report *groups = NULL;
	size_t n = 0, cap = 0;
	struct timespec ts;
	uint64_t now;

	*out = NULL;
	*count = 0;
	if (fd < 0)
		return -ENOENT;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct outstanding_alloc a;
		size_t i;

		key = next;
		prev = &key;
		if (key.tgid != (unsigned int)pid || bpf_map_lookup_elem(fd, &key, &a))
			continue;
		if (a.timestamp_ns > now || now - a.timestamp_ns < min_age_ns)
			continue;
		for (i = 0; i < n && groups[i].stack_id != a.stack_id; i++)
			;
		if (i == n) {
			if (grow_for_one((void **)&groups, &cap, n, sizeof(*groups))) {
				free(groups);
				return -ENOMEM;
			}
			groups[n++] = (struct aged_report){ .stack_id = a.stack_id };
		}
		groups[i].count++;
		groups[i].bytes += a.size;
		if (now - a.timestamp_ns > groups[i].oldest_age_ns)
			groups[i].oldest_age_ns = now - a.timestamp_ns;
	}
	if (!n)
		return 0;
	qsort(groups, n, sizeof(*groups), by_bytes_desc);
	if (n > top)
		n = top;
	for (size_t i = 0; i < n; i++)
		alloc_stacks__symbolize(alloc, sym, groups[i].stack_id, &groups[i].frames,
					&groups[i].depth);
	*out = groups;
	*count = n;
	return 0;
}

void aged_reports__free(struct aged_report *groups, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		for (size_t f = 0; f < groups[i].depth; f++)
			free(groups[i].frames[f]);
		free(groups[i].frames);
	}
	free(groups);
}

/* --- the stacks the analysis follows ------------------------------------------------ */

struct stack_entry {
	int stack_id;
	struct stack_stats stats;
};

/* Every stack of pid in alloc.bpf.c's stack_stats map; *all is malloc'ed. */
static int read_stacks(struct alloc_tracer *alloc, pid_t pid, struct stack_entry **all,
		       size_t *count)
{
	int fd = alloc_tracer__map_fd(alloc, "stack_stats");
	struct stack_key key, next, *prev = NULL;
	size_t n = 0, cap = 0;

	*all = NULL;
	*count = 0;
	if (fd < 0)
		return -ENOENT;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct stack_stats st;

		key = next;
		prev = &key;
		if (key.tgid != (unsigned int)pid || bpf_map_lookup_elem(fd, &key, &st))
			continue;
		if (grow_for_one((void **)all, &cap, n, sizeof(**all))) {
			free(*all);
			*all = NULL;
			return -ENOMEM;
		}
		(*all)[n++] = (struct stack_entry){ .stack_id = key.stack_id, .stats = st };
	}
	*count = n;
	return 0;
}

static int mark_by_id(const void *a, const void *b)
{
	const struct stack_mark *x = a, *y = b;

	return (x->stack_id > y->stack_id) - (x->stack_id < y->stack_id);
}

static uint64_t marked_bytes(const struct stack_marks *marks, int stack_id)
{
	struct stack_mark want = { .stack_id = stack_id }, *m;

	m = marks->count ? bsearch(&want, marks->items, marks->count, sizeof(want), mark_by_id)
			 : NULL;
	return m ? m->bytes_allocated : 0;
}

/* The stack whose bytes_allocated grew most since the marks. */
static void top_grower(const struct stack_entry *all, size_t n, const struct stack_marks *marks,
		       int *stack_id, uint64_t *bytes)
{
	*stack_id = -1;
	*bytes = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t grew = all[i].stats.bytes_allocated -
				marked_bytes(marks, all[i].stack_id);

		if (grew > *bytes) {
			*bytes = grew;
			*stack_id = all[i].stack_id;
		}
	}
}

static int by_live_bytes_desc(const void *a, const void *b)
{
	const struct stack_report *x = a, *y = b;

	if (x->live_bytes != y->live_bytes)
		return x->live_bytes < y->live_bytes ? 1 : -1;
	return (x->stack_id > y->stack_id) - (x->stack_id < y->stack_id);
}

/* The stacks of all that hold live allocations, into live (room for n), most live bytes
 * first; returns how many. */
static size_t live_stacks(const struct stack_entry *all, size_t n, struct stack_report *live)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct stack_stats *s = &all[i].stats;

		if (s->bytes_allocated == s->bytes_freed && s->allocs == s->frees)
			continue;
		live[k++] = (struct stack_report){
			.stack_id = all[i].stack_id,
			.live_allocs = s->allocs - s->frees,
			.live_bytes = s->bytes_allocated - s->bytes_freed,
			.allocs = s->allocs,
			.bytes_allocated = s->bytes_allocated,
		};
	}
	qsort(live, k, sizeof(*live), by_live_bytes_desc);
	return k;
}

int stack_walk__interval(struct alloc_tracer *alloc, pid_t pid, size_t top,
			 struct stack_marks *marks, struct stack_report **stacks, size_t *count)
{
	struct stack_entry *all;
	struct stack_mark *fresh;
	struct stack_report *live;
	size_t n, k = 0;
	int err = read_stacks(alloc, pid, &all, &n);

	*stacks = NULL;
	*count = 0;
	if (err)
		return err;
	top_grower(all, n, marks, &marks->top_id, &marks->top_bytes);
	fresh = calloc(n ? n : 1, sizeof(*fresh));
	live = calloc(n ? n : 1, sizeof(*live));
	if (!fresh || !live) {
		free(fresh);
		free(live);
		free(all);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		fresh[i] = (struct stack_mark){ all[i].stack_id, all[i].stats.bytes_allocated };
	k = live_stacks(all, n, live);
	qsort(fresh, n, sizeof(*fresh), mark_by_id);
	free(marks->items);
	marks->items = fresh;
	marks->count = n;
	free(all);
	if (!k) {
		free(live);
		return 0;
	}
	*stacks = live;
	*count = k < top ? k : top;
	return 0;
}

int alloc_stacks__top(struct alloc_tracer *alloc, pid_t pid, struct symbolizer *sym, size_t top,
		      struct stack_report **stacks, size_t *count)
{
	struct stack_entry *all;
	struct stack_report *live;
	size_t n, k;
	int err = read_stacks(alloc, pid, &all, &n);

	*stacks = NULL;
	*count = 0;
	if (err)
		return err;
	live = calloc(n ? n : 1, sizeof(*live));
	if (!live) {
		free(all);
		return -ENOMEM;
	}
	k = live_stacks(all, n, live);
	free(all);
	if (!k) {
		free(live);
		return 0;
	}
	if (k > top)
		k = top;
	for (size_t i = 0; i < k; i++)
		alloc_stacks__symbolize(alloc, sym, live[i].stack_id, &live[i].frames,
					&live[i].depth);
	*stacks = live;
	*count = k;
	return 0;
}

int stack_walk__grown(struct alloc_tracer *alloc, pid_t pid, const struct stack_marks *marks,
		      int *stack_id, uint64_t *bytes)
{
	struct stack_entry *all;
	size_t n;
	int err = read_stacks(alloc, pid, &all, &n);

	*stack_id = -1;
	*bytes = 0;
	if (err)
		return err;
	top_grower(all, n, marks, stack_id, bytes);
	free(all);
	return 0;
}

void stack_report__symbolize(struct alloc_tracer *alloc, struct symbolizer *sym,
			     struct stack_report *r)
{
	if (r->depth)
		return;
	alloc_stacks__symbolize(alloc, sym, r->stack_id, &r->frames, &r->depth);
}

void stack_marks__free(struct stack_marks *marks)
{
	free(marks->items);
	*marks = (struct stack_marks){ .top_id = -1 };
}
