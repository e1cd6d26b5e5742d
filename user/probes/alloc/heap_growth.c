// SPDX-License-Identifier: GPL-2.0
#include "probes/alloc/heap_growth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probes/alloc/alloc_tracer.h"
#include "probes/map_batch.h"
#include "util/grow.h"

static int add_entry(const void *key, const void *value, void *ctx)
{
	struct heap_growth_snapshot *snap = ctx;

	if (grow_for_one((void **)&snap->entries, &snap->capacity, snap->count,
			 sizeof(*snap->entries)))
		return -ENOMEM;
	memcpy(&snap->entries[snap->count].key, key, sizeof(struct heap_growth_key));
	memcpy(&snap->entries[snap->count].stats, value, sizeof(struct heap_growth_stats));
	snap->count++;
	return 0;
}

static int by_tgid_then_bytes(const void *a, const void *b)
{
	const struct heap_growth_entry *x = a, *y = b;

	if (x->key.tgid != y->key.tgid)
		return x->key.tgid < y->key.tgid ? -1 : 1;
	return (x->stats.bytes < y->stats.bytes) - (x->stats.bytes > y->stats.bytes);
}

int heap_growth__read(struct alloc_tracer *t, struct heap_growth_snapshot *snap)
{
	int fd = alloc_tracer__map_fd(t, "heap_growth"), err;

	snap->count = 0;
	if (fd < 0)
		return -ENOENT;
	err = map_batch__for_each(fd, sizeof(struct heap_growth_key),
				  sizeof(struct heap_growth_stats), add_entry, snap);
	if (err) {
		snap->count = 0;
		return err;
	}
	if (snap->count)   /* no growth at all: entries is NULL, which qsort may not get */
		qsort(snap->entries, snap->count, sizeof(*snap->entries), by_tgid_then_bytes);
	return 0;
}

const struct heap_growth_entry *heap_growth__of(const struct heap_growth_snapshot *snap,
						pid_t pid, size_t *count)
{
	size_t lo = 0, hi = snap->count, first;

	/* The first entry of pid: a lower bound on tgid. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (snap->entries[mid].key.tgid < (unsigned int)pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < snap->count && snap->entries[lo].key.tgid == (unsigned int)pid)
		lo++;
	*count = lo - first;
	return *count ? &snap->entries[first] : NULL;
}

void heap_growth__free(struct heap_growth_snapshot *snap)
{
	free(snap->entries);
	*snap = (struct heap_growth_snapshot){ 0 };
}
