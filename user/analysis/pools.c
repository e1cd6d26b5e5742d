// SPDX-License-Identifier: GPL-2.0
/* The object pool analyzer, from outside: a block size allocated and freed over and over
 * from one place, never many at once, is what a pool of peak_live blocks would serve. */
#include "analysis/pools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool one_size_class(const struct pool_usage *u)
{
	return u->size_min && (u->size_min + POOL_SIZE_CLASS - 1) / POOL_SIZE_CLASS ==
			      (u->size_max + POOL_SIZE_CLASS - 1) / POOL_SIZE_CLASS;
}

static bool is_candidate(const struct pool_usage *u, double watched_s)
{
	return u->allocs >= POOL_MIN_ALLOCS && u->peak_live &&
	       (double)u->allocs / watched_s >= POOL_MIN_ALLOCS_PER_S &&
	       (double)u->frees >= POOL_MIN_FREED_SHARE * (double)u->allocs &&
	       (double)u->allocs >= POOL_MIN_REUSE * (double)u->peak_live && one_size_class(u);
}

static int by_calls_saved_desc(const void *a, const void *b)
{
	const struct pool_hint *x = a, *y = b;

	if (x->calls_saved_per_s != y->calls_saved_per_s)
		return x->calls_saved_per_s < y->calls_saved_per_s ? 1 : -1;
	return (x->stack_id > y->stack_id) - (x->stack_id < y->stack_id);
}

void pool_hints__rank(struct pool_hint *hints, size_t n)
{
	if (n > 1)
		qsort(hints, n, sizeof(*hints), by_calls_saved_desc);
}

static struct pool_hint hint_of(const struct pool_usage *u, double watched_s, uint64_t frames)
{
	/* A warm pool makes its peak_live blocks once; every other malloc and free is saved. */
	uint64_t calls = u->allocs + u->frees;
	uint64_t saved = calls > u->peak_live ? calls - u->peak_live : 0;
	struct pool_hint h = {
		.python_type = u->python_type,
		.stack_id = u->python_type ? -1 : u->stack_id,
		.size = u->size_max,
		.peak_live = u->peak_live,
		.allocs = u->allocs,
		.frees = u->frees,
		.allocs_per_s = (double)u->allocs / watched_s,
		.allocs_per_frame = frames ? (double)u->allocs / (double)frames : -1,
		.calls_saved_per_s = (double)saved / watched_s,
		.bytes_churned_per_s = (double)u->bytes_allocated / watched_s,
	};

	if (u->python_type && u->name)
		snprintf(h.name, sizeof(h.name), "%s", u->name);
	return h;
}

size_t pool_hints__find(const struct pool_usage *in, size_t n, double watched_s,
			uint64_t frames, struct pool_hint *out, size_t max)
{
	struct pool_hint *all;
	size_t found = 0;

	if (!(watched_s > 0) || !max)
		return 0;
	all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (is_candidate(&in[i], watched_s))
			all[found++] = hint_of(&in[i], watched_s, frames);
	pool_hints__rank(all, found);
	if (found > max)
		found = max;
	memcpy(out, all, found * sizeof(*out));
	free(all);
	return found;
}
