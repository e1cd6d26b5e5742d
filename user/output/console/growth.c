// SPDX-License-Identifier: GPL-2.0
/* Python stacks and the heap growth by stack on the console: "file:line function". */
#include <inttypes.h>

#include "output/console/console_sections.h"

#define CONSOLE_GROWTH_TOP 10

void console_write_python_stack(FILE *f, const struct python_stack *st, const char *indent)
{
	for (size_t i = 0; i < st->depth; i++) {
		const struct python_frame *fr = &st->frames[i];

		if (fr->line >= 0)
			fprintf(f, "%s%s:%d %s\n", indent, fr->file, fr->line, fr->function);
		else
			fprintf(f, "%s%s %s\n", indent, fr->file, fr->function);
	}
	if (st->truncated)
		fprintf(f, "%s... (deeper frames cut)\n", indent);
}

void console_write_heap_growth(FILE *f, const struct process_report *r)
{
	char b[32];

	if (!r->growth_count)
		return;
	fprintf(f, "  heap growth by stack (brk, pymalloc arenas, large mappings):\n");
	for (size_t i = 0; i < r->growth_count && i < CONSOLE_GROWTH_TOP; i++) {
		const struct heap_growth_report *g = &r->growth[i];

		fprintf(f, "  #%zu %s in %" PRIu64 " events\n", i + 1,
			console_bytes((double)g->bytes, b, sizeof(b)), g->events);
		console_write_python_stack(f, &g->python, "      ");
		for (size_t k = 0; k < g->depth && !g->python.depth; k++)
			fprintf(f, "      %s\n", g->frames[k]);
	}
	if (r->growth_lost)
		fprintf(f, "  heap growth events not attributed (map full): %" PRIu64 "\n",
			r->growth_lost);
}
