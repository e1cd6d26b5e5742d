// SPDX-License-Identifier: GPL-2.0
/* The allocators' holdings against live bytes on the console: each interval while one
 * fragments, and in the summary. */
#include "output/console/console_sections.h"

#include <inttypes.h>

#include "model/fragmentation_report.h"

static void glibc_line(FILE *f, const struct fragmentation_report *fr)
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

static void pymalloc_line(FILE *f, const struct pymalloc_usage *pm)
{
	char arenas[32], blocks[32];

	fprintf(f, "pymalloc %" PRIu64 " arenas (%s), pools %" PRIu64 " used, %" PRIu64 " free",
		pm->arenas, console_bytes((double)pm->arena_bytes, arenas, sizeof(arenas)),
		pm->pools_used, pm->pools_free);
	if (pm->blocks_known)
		fprintf(f, ", blocks in use %s%s", pm->blocks_partial ? ">=" : "",
			console_bytes((double)pm->block_bytes, blocks, sizeof(blocks)));
}

void console_write_fragmentation_interval(FILE *f, const struct process_report *r)
{
	const struct fragmentation_report *fr = r->fragmentation;
	char grow[32];

	if (fr && fr->glibc_verdict.fragmenting) {
		fprintf(f, "%-8s fragmenting: ", "");
		glibc_line(f, fr);
		fprintf(f, ", gap grows %s/s\n",
			console_bytes(fr->glibc_verdict.gap_growth_per_s, grow, sizeof(grow)));
	}
	if (fr && fr->pymalloc_verdict.fragmenting) {
		fprintf(f, "%-8s fragmenting: ", "");
		pymalloc_line(f, &fr->pymalloc);
		fprintf(f, ", arenas grow %s/s\n",
			console_bytes(fr->pymalloc_verdict.gap_growth_per_s, grow, sizeof(grow)));
	}
}

void console_write_fragmentation(FILE *f, const struct process_report *r)
{
	const struct fragmentation_report *fr = r->fragmentation;
	char rss[32];

	if (!fr || (!fr->held_known && !fr->pymalloc.known))
		return;
	fprintf(f, "  heap: ");
	if (fr->held_known)
		glibc_line(f, fr);
	if (fr->held_known && fr->pymalloc.known)
		fprintf(f, "; ");
	if (fr->pymalloc.known)
		pymalloc_line(f, &fr->pymalloc);
	fprintf(f, "; RSS %s\n", console_bytes((double)fr->rss_bytes, rss, sizeof(rss)));
	if (fr->glibc_verdict.found)
		fprintf(f, "  fragmentation (glibc) found at %.1f s: its holdings grew while live "
			"bytes did not\n", fr->glibc_verdict.found_at_ns / 1e9);
	if (fr->pymalloc_verdict.found)
		fprintf(f, "  fragmentation (pymalloc) found at %.1f s: its arenas grew while the "
			"blocks in use did not\n", fr->pymalloc_verdict.found_at_ns / 1e9);
}
