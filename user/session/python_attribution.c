// SPDX-License-Identifier: GPL-2.0
#include "session/python_attribution.h"

#include "probes/alloc/alloc_stacks.h"
#include "probes/python/python_tracer.h"

void python_attribution__name(struct python_tracer *pt, struct alloc_tracer *at, pid_t pid,
			      const struct stack_report *stacks, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		int id = alloc_stacks__python_stack_id(at, stacks[i].stack_id);

		if (id >= 0)
			python_tracer__python_stack(pt, pid, id);
	}
}

void python_attribution__fill(struct python_tracer *pt, struct alloc_tracer *at, pid_t pid,
			      struct stack_report *st)
{
	const struct python_stack *py;

	if (st->python.depth)
		return;
	py = python_tracer__python_stack(pt, pid, alloc_stacks__python_stack_id(at, st->stack_id));
	if (py)
		python_stack__copy(&st->python, py);
}
