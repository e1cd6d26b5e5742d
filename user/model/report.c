// SPDX-License-Identifier: GPL-2.0
#include "model/report.h"

#include <stdlib.h>

void native_totals__subtract(struct native_totals *out, const struct native_totals *now,
			     const struct native_totals *before)
{
	out->allocs = now->allocs - before->allocs;
	out->frees = now->frees - before->frees;
	out->frees_untracked = now->frees_untracked - before->frees_untracked;
	out->frees_dropped_or_untracked =
		now->frees_dropped_or_untracked - before->frees_dropped_or_untracked;
	out->failed_allocs = now->failed_allocs - before->failed_allocs;
	out->bytes_allocated = now->bytes_allocated - before->bytes_allocated;
	out->bytes_freed = now->bytes_freed - before->bytes_freed;
	out->dropped = now->dropped - before->dropped;
	out->bytes_dropped = now->bytes_dropped - before->bytes_dropped;
	out->stack_dropped = now->stack_dropped - before->stack_dropped;
	for (int b = 0; b < ALLOC_SIZE_BUCKETS; b++)
		out->size_hist[b] = now->size_hist[b] - before->size_hist[b];
}

void mmap_totals__subtract(struct mmap_totals *out, const struct mmap_totals *now,
			   const struct mmap_totals *before)
{
	out->mmaps = now->mmaps - before->mmaps;
	out->munmaps = now->munmaps - before->munmaps;
	out->mremaps = now->mremaps - before->mremaps;
	out->brks = now->brks - before->brks;
	out->bytes_mapped = now->bytes_mapped - before->bytes_mapped;
	out->bytes_unmapped = now->bytes_unmapped - before->bytes_unmapped;
	out->brk_growth = now->brk_growth - before->brk_growth;
}

void process_report__free_stacks(struct process_report *report)
{
	for (size_t i = 0; i < report->stack_count; i++) {
		struct stack_report *s = &report->stacks[i];

		for (size_t f = 0; f < s->depth; f++)
			free(s->frames[f]);
		free(s->frames);
		free(s->parts);
	}
	free(report->stacks);
	report->stacks = NULL;
	report->stack_count = 0;
}
