// SPDX-License-Identifier: GPL-2.0
/* The allocator's holdings against live bytes on the console: each interval while the heap
 * fragments, and in the summary. */
#include "output/console/console_sections.h"

#include <inttypes.h>

#include "model/fragmentation_report.h"

static void heap_line(FILE *f, const struct fragmentation_report *fr)
{
	const struct glibc_heap *g = &fr->glibc;
	char live[32], held[32], top[32], free_b[32], gap[32];

	fprintf(f, "live %s, glibc holds %s",
		fr->live_known ? console_bytes((double)fr->live_bytes, live, sizeof(live)) : "?",
		console_bytes((double)fr->held_bytes, held, sizeof(held)));
	if (g->free_known)
		fprintf(f, " (top %s free, %s in %s%" PRIu64 " free chunks)",
			console_bytes((double)g->top_bytes, top, sizeof(top)),
			console_bytes((double)g->free_bytes, free_b, sizeof(free_b)),
			g->free_partial ? ">=" : "", g->free_chunks);
	else if (g->arena_known)
		fprintf(f, " (top %s free)", console_bytes((double)g->top_bytes, top, sizeof(top)));
	if (fr->live_known)
		fprintf(f, ", gap %s", console_bytes((double)fragmentation_gap(fr), gap, sizeof(gap)));
}

void console_write_fragmentation_interval(FILE *f, const struct process_report *r)
{
	char grow[32];

	if (!r->fragmentation || !r->fragmentation->fragmenting)
		return;
	fprintf(f, "%-8s fragmenting: ", "");
	heap_line(f, r->fragmentation);
	fprintf(f, ", gap grows %s/s\n", console_bytes(r->fragmentation->gap_growth_per_s, grow,
							sizeof(grow)));
}

void console_write_fragmentation(FILE *f, const struct process_report *r)
{
	const struct fragmentation_report *fr = r->fragmentation;
	char a[32], b[32];

	if (!fr || !fr->held_known)
		return;
	fprintf(f, "  heap: ");
	heap_line(f, fr);
	if (fr->pymalloc_known)
		fprintf(f, ", pymalloc arenas %s",
			console_bytes((double)fr->pymalloc_arena_bytes, a, sizeof(a)));
	fprintf(f, ", RSS %s\n", console_bytes((double)fr->rss_bytes, b, sizeof(b)));
	if (fr->found)
		fprintf(f, "  fragmentation found at %.1f s: the gap grew while live bytes did not\n",
			fr->found_at_ns / 1e9);
}
