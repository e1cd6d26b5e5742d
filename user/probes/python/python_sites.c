// SPDX-License-Identifier: GPL-2.0
#include "probes/python/python_sites.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "probes/map_batch.h"
#include "util/grow.h"

struct site_walk {
	unsigned int tgid;
	struct python_sites fresh;
};

static int add_site(const void *key, const void *value, void *ctx)
{
	const struct py_site_key *k = key;
	struct site_walk *w = ctx;
	struct py_site *s;

	if (k->tgid != w->tgid)
		return 0;
	if (grow_for_one((void **)&w->fresh.items, &w->fresh.capacity, w->fresh.count,
			 sizeof(*w->fresh.items)))
		return -ENOMEM;
	s = &w->fresh.items[w->fresh.count++];
	s->py_stack_id = k->py_stack_id;
	memcpy(s->name, k->name, sizeof(s->name));
	s->name[sizeof(s->name) - 1] = '\0';
	memcpy(&s->stats, value, sizeof(s->stats));
	return 0;
}

static uint64_t live_bytes(const struct py_site *s)
{
	return s->stats.bytes_created > s->stats.bytes_destroyed ?
	       s->stats.bytes_created - s->stats.bytes_destroyed : 0;
}

static int by_live_bytes(const void *a, const void *b)
{
	const struct py_site *x = a, *y = b;
	uint64_t lx = live_bytes(x), ly = live_bytes(y);

	if (lx != ly)
		return lx < ly ? 1 : -1;
	if (x->stats.created != y->stats.created)
		return x->stats.created < y->stats.created ? 1 : -1;
	return strcmp(x->name, y->name);
}

static uint64_t sites_dropped(int counters_fd, int ncpus, pid_t pid)
{
	struct py_event_counters *per_cpu = calloc(ncpus > 0 ? ncpus : 1, sizeof(*per_cpu));
	__u32 tgid = (__u32)pid;
	uint64_t n = 0;

	if (per_cpu && counters_fd >= 0 && !bpf_map_lookup_elem(counters_fd, &tgid, per_cpu))
		for (int c = 0; c < ncpus; c++)
			n += per_cpu[c].sites_dropped;
	free(per_cpu);
	return n;
}

int python_sites__read(struct python_sites *s, int sites_fd, int counters_fd, int ncpus,
		       pid_t pid)
{
	struct site_walk w = { .tgid = (unsigned int)pid };
	int err = map_batch__for_each(sites_fd, sizeof(struct py_site_key),
				      sizeof(struct py_site_stats), add_site, &w);

	if (err) {
		free(w.fresh.items);
		return err;
	}
	qsort(w.fresh.items, w.fresh.count, sizeof(*w.fresh.items), by_live_bytes);
	w.fresh.dropped = sites_dropped(counters_fd, ncpus, pid);
	free(s->items);
	*s = w.fresh;
	return 0;
}

void python_sites__free(struct python_sites *s)
{
	free(s->items);
	*s = (struct python_sites){ 0 };
}
