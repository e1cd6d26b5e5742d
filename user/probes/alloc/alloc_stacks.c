// SPDX-License-Identifier: GPL-2.0
/* Reading bpf/alloc.bpf.c's stack and outstanding maps: the stacks holding live memory, the
 * per-interval marks the spike and leak analysis follow, and allocations older than
 * --leak-age; every stack symbolized on demand. More of the alloc triplet's user half. */
#include "probes/alloc/alloc_stacks.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "alloc.h"
#include "analysis/lifetimes.h"
#include "analysis/pools.h"
#include "probes/map_batch.h"
#include "util/grow.h"

/* --- stacks by id --------------------------------------------------------------------- */

void alloc_stacks__symbolize(struct alloc_tracer *alloc, struct symbolizer *sym, int stack_id,
			     char ***frames, struct stack_frame **parts, size_t *depth)
{
	int fd = alloc_tracer__map_fd(alloc, "stacks");
	struct stack_trace trace;
	__u32 id = (__u32)stack_id;
	char frame[512];

	*depth = 0;
	if (stack_id < 0 || fd < 0 || bpf_map_lookup_elem(fd, &id, &trace) || !trace.depth)
		return;
	if (trace.depth > ALLOC_MAX_STACK_DEPTH)
		trace.depth = ALLOC_MAX_STACK_DEPTH;
	*frames = calloc(trace.depth, sizeof(char *));
	if (!*frames)
		return;
	if (parts && !(*parts = calloc(trace.depth, sizeof(**parts))))
		return;
	for (; *depth < trace.depth; ++*depth) {
		struct frame_site site;
		struct stack_frame *part;
		uint64_t ip = trace.ips[*depth];

		symbolizer__resolve(sym, ip, &site);
		frame_site__format(&site, ip, frame, sizeof(frame));
		(*frames)[*depth] = strdup(frame);
		if (!parts)
			continue;
		part = &(*parts)[*depth];
		*part = (struct stack_frame){ .ip = ip, .function = site.function };
		if (site.mapping && site.mapping->path[0] == '/') {
			part->module = site.mapping->path;
			part->module_start = site.mapping->start;
			part->module_limit = site.mapping->end;
			part->module_offset = site.mapping->file_offset;
		}
	}
}

int alloc_stacks__python_stack_id(struct alloc_tracer *alloc, int stack_id)
{
	int fd = alloc_tracer__map_fd(alloc, "stacks");
	struct stack_trace trace;
	__u32 id = (__u32)stack_id;

	if (stack_id < 0 || fd < 0 || bpf_map_lookup_elem(fd, &id, &trace))
		return -1;
	return trace.py_stack_id;
}

/* --- outstanding allocations older than --leak-age ---------------------------------- */

static int by_bytes_desc(const void *a, const void *b)
{
	const struct aged_report *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return (x->stack_id > y->stack_id) - (x->stack_id < y->stack_id);
}

struct aged_walk {
	unsigned int tgid;
	uint64_t now, min_age_ns;
	struct aged_report *groups;
	size_t count, cap;
};

static int add_if_aged(const void *key, const void *value, void *ctx)
{
	const struct outstanding_key *k = key;
	const struct outstanding_alloc *a = value;
	struct aged_walk *w = ctx;
	size_t i;

	if (k->tgid != w->tgid || a->timestamp_ns > w->now || w->now - a->timestamp_ns < w->min_age_ns)
		return 0;
	for (i = 0; i < w->count && w->groups[i].stack_id != a->stack_id; i++)
		;
	if (i == w->count) {
		if (grow_for_one((void **)&w->groups, &w->cap, w->count, sizeof(*w->groups)))
			return -ENOMEM;
		w->groups[w->count++] = (struct aged_report){ .stack_id = a->stack_id };
	}
	w->groups[i].count++;
	w->groups[i].bytes += a->size;
	if (w->now - a->timestamp_ns > w->groups[i].oldest_age_ns)
		w->groups[i].oldest_age_ns = w->now - a->timestamp_ns;
	return 0;
}

int outstanding__aged(struct alloc_tracer *alloc, pid_t pid, uint64_t min_age_ns,
		      struct symbolizer *sym, size_t top, struct aged_report **out, size_t *count)
{
	int fds[OUTSTANDING_MAX_LEVELS], levels = alloc_tracer__outstanding_fds(alloc, fds,
										OUTSTANDING_MAX_LEVELS);
	struct aged_walk w = { .tgid = (unsigned int)pid, .min_age_ns = min_age_ns };
	struct timespec ts;
	int err = 0;

	*out = NULL;
	*count = 0;
	if (!levels)
		return -ENOENT;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	for (int i = 0; i < levels && !err; i++)
		err = map_batch__for_each(fds[i], sizeof(struct outstanding_key),
				     sizeof(struct outstanding_alloc), add_if_aged, &w);
	if (err || !w.count) {
		free(w.groups);
		return err;
	}
	qsort(w.groups, w.count, sizeof(*w.groups), by_bytes_desc);
	if (w.count > top)
		w.count = top;
	for (size_t i = 0; i < w.count; i++)
		alloc_stacks__symbolize(alloc, sym, w.groups[i].stack_id, &w.groups[i].frames,
					NULL, &w.groups[i].depth);
	*out = w.groups;
	*count = w.count;
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
	unsigned int tgid;
	int stack_id;
	struct stack_stats stats;
};

struct stacks_walk {
	bool all_processes;
	unsigned int tgid;           /* without all_processes: only this process's */
	struct stack_entry *all;
	size_t count, cap;
};

static int add_entry(const void *key, const void *value, void *ctx)
{
	const struct stack_key *k = key;
	struct stacks_walk *w = ctx;

	if (!w->all_processes && k->tgid != w->tgid)
		return 0;
	if (grow_for_one((void **)&w->all, &w->cap, w->count, sizeof(*w->all)))
		return -ENOMEM;
	w->all[w->count++] = (struct stack_entry){ .tgid = k->tgid, .stack_id = k->stack_id,
						   .stats = *(const struct stack_stats *)value };
	return 0;
}

static int entry_by_process_and_id(const void *a, const void *b)
{
	const struct stack_entry *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return (x->stack_id > y->stack_id) - (x->stack_id < y->stack_id);
}

/* The entries of stack_stats (of w's process, or of all), by process and stack id. */
static int read_stacks(struct alloc_tracer *alloc, struct stacks_walk *w)
{
	int fd = alloc_tracer__map_fd(alloc, "stack_stats"), err;

	if (fd < 0)
		return -ENOENT;
	err = map_batch__for_each(fd, sizeof(struct stack_key), sizeof(struct stack_stats), add_entry, w);
	if (err) {
		free(w->all);
		w->all = NULL;
		w->count = 0;
		return err;
	}
	if (w->count > 1)   /* w->all is NULL when there are no stacks */
		qsort(w->all, w->count, sizeof(*w->all), entry_by_process_and_id);
	return 0;
}

int stack_snapshot__read(struct stack_snapshot *snap, struct alloc_tracer *alloc)
{
	struct stacks_walk w = { .all_processes = true };
	int err;

	stack_snapshot__free(snap);
	err = read_stacks(alloc, &w);
	snap->items = w.all;
	snap->count = w.count;
	return err;
}

void stack_snapshot__free(struct stack_snapshot *snap)
{
	free(snap->items);
	*snap = (struct stack_snapshot){ 0 };
}

/* pid's entries in the snapshot: a slice, by stack id. */
static const struct stack_entry *stacks_of(const struct stack_snapshot *snap, pid_t pid,
					   size_t *n)
{
	size_t lo = 0, hi = snap->count, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (snap->items[mid].tgid < (unsigned int)pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < snap->count && snap->items[end].tgid == (unsigned int)pid; end++)
		;
	*n = end - lo;
	return snap->items + lo;
}

/* The stack whose bytes_allocated grew most since the marks: all and the marks are both in
 * stack-id order, so one walk pairs them. */
static void top_grower(const struct stack_entry *all, size_t n, const struct stack_marks *marks,
		       int *stack_id, uint64_t *bytes)
{
	size_t m = 0;

	*stack_id = -1;
	*bytes = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t grew = all[i].stats.bytes_allocated;

		while (m < marks->count && marks->items[m].stack_id < all[i].stack_id)
			m++;
		if (m < marks->count && marks->items[m].stack_id == all[i].stack_id)
			grew -= marks->items[m].bytes_allocated;
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
	if (x->live_allocs != y->live_allocs)   /* malloc(0) blocks before freed stacks */
		return x->live_allocs < y->live_allocs ? 1 : -1;
	return (x->stack_id > y->stack_id) - (x->stack_id < y->stack_id);
}

/* Restores the heap of v[0..n) below node i, the entry that ranks last at its root. */
static void sift_down(struct stack_report *v, size_t n, size_t i)
{
	for (;;) {
		size_t last = i, l = 2 * i + 1, r = l + 1;
		struct stack_report t;

		if (l < n && by_live_bytes_desc(&v[l], &v[last]) > 0)
			last = l;
		if (r < n && by_live_bytes_desc(&v[r], &v[last]) > 0)
			last = r;
		if (last == i)
			return;
		t = v[i], v[i] = v[last], v[last] = t;
		i = last;
	}
}

/* Moves the top entries of v[0..n) to its front, sorted, and returns how many: a heap of the
 * top, not a sort of every stack (a poll sees all of them, the analysis wants 32). */
static size_t keep_top(struct stack_report *v, size_t n, size_t top)
{
	size_t kept = n < top ? n : top;

	for (size_t i = kept / 2; i-- > 0;)
		sift_down(v, kept, i);
	for (size_t i = kept; i < n && kept; i++) {
		if (by_live_bytes_desc(&v[i], &v[0]) < 0) {
			v[0] = v[i];
			sift_down(v, kept, 0);
		}
	}
	qsort(v, kept, sizeof(*v), by_live_bytes_desc);
	return kept;
}

static void stack_stats__lifetimes(const struct stack_stats *s, struct lifetime_stats *out)
{
	memcpy(out->hist, s->lifetime_hist, sizeof(out->hist));
	out->temporary = s->temporary;
	out->total_ns = s->lifetime_ns_total;
}

/* The top stacks of all that hold live allocations (with ALLOC_STACKS_EVERY: every stack,
 * freed ones last), into live (room for n), most live bytes first; returns how many. */
static size_t live_stacks(const struct stack_entry *all, size_t n, size_t top,
			  struct stack_report *live)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct stack_stats *s = &all[i].stats;

		if (top != ALLOC_STACKS_EVERY && s->bytes_allocated == s->bytes_freed &&
		    s->allocs == s->frees)
			continue;
		live[k++] = (struct stack_report){
			.stack_id = all[i].stack_id,
			.live_allocs = s->allocs - s->frees,
			.live_bytes = s->bytes_allocated - s->bytes_freed,
			.allocs = s->allocs,
			.bytes_allocated = s->bytes_allocated,
			.peak_live = s->peak_live,
			.size_min = s->size_min,
			.size_max = s->size_max,
		};
		stack_stats__lifetimes(s, &live[k - 1].lifetimes);
	}
	return keep_top(live, k, top);
}

int stack_walk__interval(const struct stack_snapshot *snap, pid_t pid, size_t top,
			 struct stack_marks *marks, struct stack_report **stacks, size_t *count)
{
	size_t n, k;
	const struct stack_entry *all = stacks_of(snap, pid, &n);
	struct stack_mark *fresh = calloc(n ? n : 1, sizeof(*fresh));
	struct stack_report *live = calloc(n ? n : 1, sizeof(*live));

	*stacks = NULL;
	*count = 0;
	if (!fresh || !live) {
		free(fresh);
		free(live);
		return -ENOMEM;
	}
	top_grower(all, n, marks, &marks->top_id, &marks->top_bytes);
	for (size_t i = 0; i < n; i++)
		fresh[i] = (struct stack_mark){ all[i].stack_id, all[i].stats.bytes_allocated };
	k = live_stacks(all, n, top, live);
	free(marks->items);
	marks->items = fresh;
	marks->count = n;
	if (!k) {
		free(live);
		return 0;
	}
	*stacks = live;
	*count = k;
	return 0;
}

int alloc_stacks__usage(const struct stack_snapshot *snap, pid_t pid, struct pool_usage **usage,
			size_t *count, struct lifetime_stats *total)
{
	size_t n;
	const struct stack_entry *all = stacks_of(snap, pid, &n);
	struct lifetime_stats one;

	*usage = NULL;
	*count = 0;
	if (!n)
		return 0;
	*usage = calloc(n, sizeof(**usage));
	if (!*usage)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct stack_stats *s = &all[i].stats;

		(*usage)[i] = (struct pool_usage){
			.stack_id = all[i].stack_id,
			.allocs = s->allocs,
			.frees = s->frees,
			.bytes_allocated = s->bytes_allocated,
			.peak_live = s->peak_live,
			.size_min = s->size_min,
			.size_max = s->size_max,
		};
		stack_stats__lifetimes(s, &one);
		lifetime_stats__add(total, &one);
	}
	*count = n;
	return 0;
}

int alloc_stacks__top(struct alloc_tracer *alloc, const struct stack_snapshot *snap, pid_t pid,
		      struct symbolizer *sym, size_t top, struct stack_report **stacks,
		      size_t *count)
{
	size_t n, k;
	const struct stack_entry *all = stacks_of(snap, pid, &n);
	struct stack_report *live = calloc(n ? n : 1, sizeof(*live));

	*stacks = NULL;
	*count = 0;
	if (!live)
		return -ENOMEM;
	k = live_stacks(all, n, top, live);
	if (!k) {
		free(live);
		return 0;
	}
	for (size_t i = 0; i < k; i++)
		alloc_stacks__symbolize(alloc, sym, live[i].stack_id, &live[i].frames,
					&live[i].parts, &live[i].depth);
	*stacks = live;
	*count = k;
	return 0;
}

static int by_allocs_desc(const void *a, const void *b)
{
	const struct stack_report *x = a, *y = b;

	if (x->allocs != y->allocs)
		return x->allocs < y->allocs ? 1 : -1;
	return (x->stack_id > y->stack_id) - (x->stack_id < y->stack_id);
}

int alloc_stacks__busiest(struct alloc_tracer *alloc, const struct stack_snapshot *snap,
			  pid_t pid, struct symbolizer *sym, size_t top,
			  struct stack_report **stacks, size_t *count)
{
	size_t n, k;
	const struct stack_entry *all = stacks_of(snap, pid, &n);
	struct stack_report *every = calloc(n ? n : 1, sizeof(*every));

	*stacks = NULL;
	*count = 0;
	if (!every)
		return -ENOMEM;
	k = live_stacks(all, n, ALLOC_STACKS_EVERY, every);
	qsort(every, k, sizeof(*every), by_allocs_desc);
	if (k > top)
		k = top;
	if (!k) {
		free(every);
		return 0;
	}
	for (size_t i = 0; i < k; i++)
		alloc_stacks__symbolize(alloc, sym, every[i].stack_id, &every[i].frames, NULL,
					&every[i].depth);
	*stacks = every;
	*count = k;
	return 0;
}

/* Mid-interval (a frame's spike): pid's stacks read now, for this one process. */
int stack_walk__grown(struct alloc_tracer *alloc, pid_t pid, const struct stack_marks *marks,
		      int *stack_id, uint64_t *bytes)
{
	struct stacks_walk w = { .tgid = (unsigned int)pid };
	int err = read_stacks(alloc, &w);

	*stack_id = -1;
	*bytes = 0;
	if (err)
		return err;
	top_grower(w.all, w.count, marks, stack_id, bytes);
	free(w.all);
	return 0;
}

void stack_report__symbolize(struct alloc_tracer *alloc, struct symbolizer *sym,
			     struct stack_report *r)
{
	if (r->depth)
		return;
	alloc_stacks__symbolize(alloc, sym, r->stack_id, &r->frames, NULL, &r->depth);
}

void stack_marks__free(struct stack_marks *marks)
{
	free(marks->items);
	*marks = (struct stack_marks){ .top_id = -1 };
}
