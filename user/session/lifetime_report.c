// SPDX-License-Identifier: GPL-2.0
#include "session/lifetime_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lifetimes.h"
#include "analysis/pools.h"
#include "probes/python/python_tracer.h"
#include "session/python_attribution.h"

/* The time the allocator was watched: all of it in --exact, the windows' share otherwise. */
static double watched_seconds(const struct process_report *r)
{
	double s = r->elapsed_ns / 1e9;

	return r->native_windowed ? s * r->exact_share : s;
}

static uint64_t frames_ended(const struct process_report *r)
{
	const struct analysis_summary *a = r->analysis;

	return a && a->frames_on && a->frames ? a->frames->frames : 0;
}

/* The innermost frame that is not the allocator's own: the hint's name. */
static void name_native(struct pool_hint *h)
{
	snprintf(h->name, sizeof(h->name), "%s", h->depth ? h->frames[0] : "[unknown]");
	for (size_t f = 0; f < h->depth; f++) {
		if (!strstr(h->frames[f], "malloc") && !strstr(h->frames[f], "calloc")) {
			snprintf(h->name, sizeof(h->name), "%s", h->frames[f]);
			return;
		}
	}
}

/* Event-mode types with instances created: the --top by created into ls->types, and their
 * pool candidates into hints (room for POOL_MAX_HINTS); returns how many hints. */
static size_t python_types(struct lifetime_summary *ls, const struct process_report *r,
			   size_t top, struct pool_hint *hints)
{
	const struct python_report *py = r->python;
	struct pool_usage *usage;
	size_t n = 0, found;

	if (!py || !py->type_count)
		return 0;
	usage = calloc(py->type_count, sizeof(*usage));
	ls->types = calloc(py->type_count, sizeof(*ls->types));
	if (!usage || !ls->types) {
		free(usage);
		free(ls->types);
		ls->types = NULL;
		return 0;
	}
	for (size_t i = 0; i < py->type_count; i++) {
		const struct python_type_report *t = &py->types[i];
		uint64_t size = t->created ? t->bytes_created / t->created : 0;

		if (!t->has_events || !t->created)
			continue;
		ls->types[ls->type_count++] = t;
		usage[n++] = (struct pool_usage){
			.python_type = true, .stack_id = -1, .name = t->name,
			.allocs = t->created, .frees = t->destroyed,
			.bytes_allocated = t->bytes_created, .peak_live = t->events_peak_live,
			.size_min = size, .size_max = size,
		};
	}
	/* Most created first: a stable insertion sort of a short list. */
	for (size_t i = 1; i < ls->type_count; i++)
		for (size_t j = i; j > 0 && ls->types[j]->created > ls->types[j - 1]->created; j--) {
			const struct python_type_report *t = ls->types[j];

			ls->types[j] = ls->types[j - 1];
			ls->types[j - 1] = t;
		}
	if (ls->type_count > top)
		ls->type_count = top;
	/* The event probes watch the whole run. */
	found = pool_hints__find(usage, n, r->elapsed_ns / 1e9, frames_ended(r), hints,
				 POOL_MAX_HINTS);
	free(usage);
	return found;
}

void lifetime_report__fill(struct lifetime_summary *ls, struct process_report *r,
			   const struct stack_snapshot *snap, struct alloc_tracer *at,
			   struct python_tracer *pt, struct symbolizer *sym, uint64_t temporary_ns,
			   size_t top)
{
	struct pool_usage *usage = NULL;
	size_t n = 0, native;
	struct pool_hint found[2 * POOL_MAX_HINTS];

	*ls = (struct lifetime_summary){ .temporary_ns = temporary_ns };
	if (!r->native_traced || alloc_stacks__usage(snap, r->pid, &usage, &n, &ls->total))
		return;
	r->lifetimes = ls;
	alloc_stacks__busiest(at, snap, r->pid, sym, top, &ls->stacks, &ls->stack_count);
	for (size_t i = 0; i < ls->stack_count; i++)
		python_attribution__fill(pt, at, r->pid, &ls->stacks[i]);
	native = pool_hints__find(usage, n, watched_seconds(r), frames_ended(r), found,
				  POOL_MAX_HINTS);
	free(usage);
	ls->pool_count = native + python_types(ls, r, top, found + native);
	pool_hints__rank(found, ls->pool_count);
	if (ls->pool_count > POOL_MAX_HINTS)
		ls->pool_count = POOL_MAX_HINTS;
	if (!ls->pool_count)
		return;
	ls->pools = calloc(ls->pool_count, sizeof(*ls->pools));
	if (!ls->pools) {
		ls->pool_count = 0;
		return;
	}
	memcpy(ls->pools, found, ls->pool_count * sizeof(*found));
	for (size_t i = 0; i < ls->pool_count; i++) {
		struct pool_hint *h = &ls->pools[i];

		if (h->python_type)
			continue;
		alloc_stacks__symbolize(at, sym, h->stack_id, &h->frames, NULL, &h->depth);
		name_native(h);
		h->python = python_tracer__python_stack(pt, r->pid,
						       alloc_stacks__python_stack_id(at, h->stack_id));
	}
}

void lifetime_report__free(struct lifetime_summary *ls)
{
	for (size_t i = 0; i < ls->pool_count; i++) {
		for (size_t f = 0; f < ls->pools[i].depth; f++)
			free(ls->pools[i].frames[f]);
		free(ls->pools[i].frames);
	}
	free(ls->pools);
	process_report__free_stack_list(ls->stacks, ls->stack_count);
	free(ls->types);
	*ls = (struct lifetime_summary){ 0 };
}
