// SPDX-License-Identifier: GPL-2.0
#include "output/type_rank.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"

struct type_count {
	char name[64];
	uint64_t live;
};

struct process_types {
	pid_t pid;
	struct type_count *types;    /* by name */
	size_t count;
};

struct type_history {
	struct process_types *procs;
	size_t count, capacity;
};

struct type_history *type_history__new(void)
{
	return calloc(1, sizeof(struct type_history));
}

void type_history__free(struct type_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->count; i++)
		free(h->procs[i].types);
	free(h->procs);
	free(h);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct type_count *)a)->name, ((const struct type_count *)b)->name);
}

static uint64_t live_of(const struct python_type_report *t)
{
	return t->has_live ? t->live : 0;
}

struct ranking {
	const struct python_report *py;
	const int64_t *change;
};

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;
}

static int by_change(const void *a, const void *b, void *ctx)
{
	const struct ranking *r = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	uint64_t ci = magnitude(r->change[i]), cj = magnitude(r->change[j]);
	uint64_t li = live_of(&r->py->types[i]), lj = live_of(&r->py->types[j]);

	if (ci != cj)
		return ci < cj ? 1 : -1;
	if (li != lj)
		return li < lj ? 1 : -1;
	return i < j ? -1 : i > j;
}

static struct process_types *find(struct type_history *h, pid_t pid)
{
	for (size_t i = 0; i < h->count; i++)
		if (h->procs[i].pid == pid)
			return &h->procs[i];
	return NULL;
}

/* Replaces p's counts by py's. */
static int remember(struct process_types *p, const struct python_report *py)
{
	struct type_count *types = malloc((py->type_count ? py->type_count : 1) * sizeof(*types));

	if (!types)
		return -1;
	for (size_t i = 0; i < py->type_count; i++) {
		snprintf(types[i].name, sizeof(types[i].name), "%s", py->types[i].name);
		types[i].live = live_of(&py->types[i]);
	}
	qsort(types, py->type_count, sizeof(*types), by_name);
	free(p->types);
	p->types = types;
	p->count = py->type_count;
	return 0;
}

int type_history__rank(struct type_history *h, pid_t pid, const struct python_report *py,
		       size_t *order, int64_t *change)
{
	struct process_types *p = find(h, pid);

	if (!p) {
		if (grow_for_one((void **)&h->procs, &h->capacity, h->count, sizeof(*h->procs))) {
			errno = ENOMEM;
			return -1;
		}
		p = &h->procs[h->count++];
		*p = (struct process_types){ .pid = pid };
		return remember(p, py);
	}
	for (size_t i = 0; i < py->type_count; i++) {
		struct type_count key, *before;

		snprintf(key.name, sizeof(key.name), "%s", py->types[i].name);
		before = bsearch(&key, p->types, p->count, sizeof(*p->types), by_name);
		change[i] = (int64_t)live_of(&py->types[i]) - (int64_t)(before ? before->live : 0);
		order[i] = i;
	}
	qsort_r(order, py->type_count, sizeof(*order), by_change,
		&(struct ranking){ py, change });
	return remember(p, py) ? -1 : 1;
}

void type_history__forget(struct type_history *h, pid_t pid)
{
	struct process_types *p = find(h, pid);

	if (!p)
		return;
	free(p->types);
	*p = h->procs[--h->count];
}
