// SPDX-License-Identifier: GPL-2.0
#include "session/gpu_stacks.h"

#include "probes/alloc/alloc_stacks.h"

const struct gpu_report *gpu_stacks__name(struct gpu_report *g, struct alloc_tracer *alloc,
					  struct python_tracer *python, struct symbolizer *sym,
					  size_t top)
{
	if (!g)
		return NULL;
	if (g->stack_count > top)
		g->stack_count = top;
	for (size_t i = 0; i < g->stack_count; i++) {
		struct gpu_stack_report *st = &g->stacks[i];
		const struct python_stack *py;

		alloc_stacks__symbolize(alloc, sym, st->stack_id, &st->frames, NULL, &st->depth);
		py = python_tracer__python_stack(python, sym->pid,
						 alloc_stacks__python_stack_id(alloc, st->stack_id));
		if (py)
			python_stack__copy(&st->python, py);
	}
	return g;
}
