// SPDX-License-Identifier: GPL-2.0
/* The oom event on the console: the kernel's figures, then the last snapshot in short. */
#include <inttypes.h>

#include "output/console/console_sections.h"

/* Stacks and types an oom event shows. */
#define CONSOLE_OOM_TOP 3

void console_write_oom(FILE *f, const struct analysis_event *ev)
{
	const struct process_report *r = ev->snapshot;
	const struct oom_victim *v = &ev->victim;
	char a[32], b[32];

	fprintf(f, "oom: %s killed by the kernel's OOM killer", r->comm);
	if (v->sizes_known)
		fprintf(f, " at %s RSS (anonymous %s)",
			console_bytes((double)(v->anon_rss_bytes + v->file_rss_bytes +
					       v->shmem_rss_bytes), a, sizeof(a)),
			console_bytes((double)v->anon_rss_bytes, b, sizeof(b)));
	if (r->native_traced)
		fprintf(f, "; %s live in %" PRIu64 " blocks%s",
			console_bytes((double)native_live_bytes(&r->native), a, sizeof(a)),
			native_live_allocs(&r->native),
			r->native_windowed ? " (seen in exact windows)" : "");
	fprintf(f, "\n");
	for (size_t i = 0; i < r->stack_count && i < CONSOLE_OOM_TOP; i++) {
		const struct stack_report *st = &r->stacks[i];

		fprintf(f, "  stack #%zu %s: %s live in %" PRIu64 " blocks\n", i + 1,
			st->depth && st->frames[0] ? st->frames[0] : "?",
			console_bytes((double)st->live_bytes, a, sizeof(a)), st->live_allocs);
		console_write_python_stack(f, &st->python, "      ");
	}
	for (size_t i = 0; r->python && i < r->python->type_count && i < CONSOLE_OOM_TOP; i++)
		if (r->python->types[i].has_live)
			fprintf(f, "  type %s: %" PRIu64 " live\n", r->python->types[i].name,
				r->python->types[i].live);
	console_write_heap_growth(f, r);
}
