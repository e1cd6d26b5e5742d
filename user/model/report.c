// SPDX-License-Identifier: GPL-2.0
#include "model/report.h"

#include <stdlib.h>
#include <string.h>

void native_totals__subtract(struct native_totals *out, const struct native_totals *now,
			     const struct native_totals *before)
{
#define SUBTRACT(name, doc) out->name = now->name - before->name;
	NATIVE_COUNTERS(SUBTRACT)
#undef SUBTRACT
	for (int b = 0; b < ALLOC_SIZE_BUCKETS; b++)
		out->size_hist[b] = now->size_hist[b] - before->size_hist[b];
}

void native_totals__add(struct native_totals *n, const struct native_stats *cpu)
{
#define ADD(name, doc) n->name += cpu->name;
	NATIVE_COUNTERS(ADD)
#undef ADD
	for (int b = 0; b < ALLOC_SIZE_BUCKETS; b++)
		n->size_hist[b] += cpu->size_hist[b];
}

void mmap_totals__subtract(struct mmap_totals *out, const struct mmap_totals *now,
			   const struct mmap_totals *before)
{
#define SUBTRACT(sign, name) out->name = now->name - before->name;
	MMAP_COUNTERS(SUBTRACT)
#undef SUBTRACT
}

void mmap_totals__add(struct mmap_totals *m, const struct mmap_stats *cpu)
{
#define ADD(sign, name) m->name += cpu->name;
	MMAP_COUNTERS(ADD)
#undef ADD
}

void process_report__free_stack_list(struct stack_report *stacks, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct stack_report *s = &stacks[i];

		for (size_t f = 0; f < s->depth; f++)
			free(s->frames[f]);
		free(s->frames);
		free(s->parts);
		free(s->python.frames);
	}
	free(stacks);
}

void process_report__free_stacks(struct process_report *report)
{
	process_report__free_stack_list(report->stacks, report->stack_count);
	report->stacks = NULL;
	report->stack_count = 0;
}

void process_report__free_growth(struct process_report *report)
{
	for (size_t i = 0; i < report->growth_count; i++) {
		struct heap_growth_report *g = &report->growth[i];

		for (size_t f = 0; f < g->depth; f++)
			free(g->frames[f]);
		free(g->frames);
		free(g->python.frames);
	}
	free(report->growth);
	report->growth = NULL;
	report->growth_count = 0;
}

void python_stack__copy(struct python_stack *to, const struct python_stack *from)
{
	*to = (struct python_stack){ .truncated = from->truncated };
	if (!from->depth || !(to->frames = malloc(from->depth * sizeof(*to->frames))))
		return;
	memcpy(to->frames, from->frames, from->depth * sizeof(*to->frames));
	to->depth = from->depth;
}
