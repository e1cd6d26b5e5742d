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

void lifetime_report__fill(struct lifetime_summary *ls, struct process_report *r,
			   const struct stack_snapshot *snap, struct alloc_tracer *at,
			   struct python_tracer *pt, struct symbolizer *sym, uint64_t temporary_ns,
			   size_t top)
{
	struct pool_usage *usage = NULL;
	size_t n = 0;
	struct pool_hint found[POOL_MAX_HINTS];

	*ls = (struct lifetime_summary){ .temporary_ns = temporary_ns };
	if (!r->native_traced || alloc_stacks__usage(snap, r->pid, &usage, &n, &ls->total))
		return;
	r->lifetimes = ls;
	alloc_stacks__busiest(at, snap, r->pid, sym, top, &ls->stacks, &ls->stack_count);
	for (size_t i = 0; i < ls->stack_count; i++)
		python_attribution__fill(pt, at, r->pid, &ls->stacks[i]);
	ls->pool_count = pool_hints__find(usage, n, watched_seconds(r), frames_ended(r), found,
					  POOL_MAX_HINTS);
	free(usage);
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
	*ls = (struct lifetime_summary){ 0 };
}
