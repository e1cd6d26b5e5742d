// SPDX-License-Identifier: GPL-2.0
/* Lifetimes and pool hints on the console (docs/analysis.md "Lifetimes and pools"). */
#include <inttypes.h>

#include "analysis/lifetimes.h"
#include "output/console/console_sections.h"

/* "850 ns", "12.3 us", "4.1 ms", "2.5 s": a lifetime at a glance. */
static const char *console_duration(double ns, char *buf, size_t size)
{
	if (ns < 1e3)
		snprintf(buf, size, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, size, "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, size, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, size, "%.1f s", ns / 1e9);
	return buf;
}

void console_write_stack_lifetimes(FILE *f, const struct stack_report *s, double temporary_ms)
{
	uint64_t freed = lifetime_stats__count(&s->lifetimes);
	char median[32];

	fprintf(f, "      lifetimes: %" PRIu64 " freed", freed);
	if (freed)
		fprintf(f, " (median %s), %" PRIu64 " temporary (< %g ms)",
			console_duration(lifetime_stats__quantile_ns(&s->lifetimes, 0.5), median,
					 sizeof(median)), s->lifetimes.temporary, temporary_ms);
	fprintf(f, ", %.1f%% survive\n",
		100 * lifetime_survival_share(s->allocs, s->live_allocs));
}

static void print_lifetime_histogram(FILE *f, const struct lifetime_stats *s)
{
	uint64_t peak = 0, lo, hi;
	char from[32];

	for (int b = 0; b < LIFETIME_BUCKETS; b++)
		if (s->hist[b] > peak)
			peak = s->hist[b];
	for (int b = 0; b < LIFETIME_BUCKETS && peak; b++) {
		if (!s->hist[b])
			continue;
		lifetime_bucket_bounds(b, &lo, &hi);
		fprintf(f, "    >= %-10s %10" PRIu64 " |%.*s\n",
			console_duration((double)lo, from, sizeof(from)), s->hist[b],
			(int)(s->hist[b] * 40 / peak), "########################################");
	}
}

void console_write_lifetimes(FILE *f, const struct process_report *r)
{
	const struct lifetime_summary *ls = r->lifetimes;
	uint64_t freed;
	char a[32], b[32];

	if (!ls)
		return;
	freed = lifetime_stats__count(&ls->total);
	fprintf(f, "  lifetimes: %" PRIu64 " frees measured, %" PRIu64 " temporary (< %g ms), "
		"%.1f%% of allocations survive\n", freed, ls->total.temporary,
		ls->temporary_ns / 1e6,
		100 * lifetime_survival_share(r->native.allocs, native_live_allocs(&r->native)));
	print_lifetime_histogram(f, &ls->total);
	if (ls->stack_count)
		fprintf(f, "  top stacks by allocations made:\n");
	for (size_t i = 0; i < ls->stack_count; i++) {
		const struct stack_report *s = &ls->stacks[i];

		fprintf(f, "  #%zu %" PRIu64 " allocations, %" PRIu64 " live, peak %" PRIu64 " live\n",
			i + 1, s->allocs, s->live_allocs, s->peak_live);
		for (size_t k = 0; k < s->depth; k++)
			fprintf(f, "      %s\n", s->frames[k]);
		console_write_python_stack(f, &s->python, "      ");
		console_write_stack_lifetimes(f, s, ls->temporary_ns / 1e6);
	}
	if (ls->type_count)
		fprintf(f, "  Python types by instances created (--python=events):\n");
	for (size_t i = 0; i < ls->type_count; i++) {
		const struct python_type_report *t = ls->types[i];
		uint64_t freed = lifetime_stats__count(&t->lifetimes);
		char median[32];

		fprintf(f, "    %-24s %10" PRIu64 " created, %" PRIu64 " freed", t->name, t->created,
			freed);
		if (freed)
			fprintf(f, " (median %s), %" PRIu64 " temporary",
				console_duration(lifetime_stats__quantile_ns(&t->lifetimes, 0.5), median,
						 sizeof(median)), t->lifetimes.temporary);
		fprintf(f, ", %.1f%% survive\n",
			100 * lifetime_survival_share(t->created, t->created - t->destroyed));
	}
	for (size_t i = 0; i < ls->pool_count; i++) {
		const struct pool_hint *h = &ls->pools[i];

		fprintf(f, "  pool: %s: %" PRIu64 "-B blocks, peak %" PRIu64 " live (a pool of %s), "
			"%.0f allocs/s", h->name, h->size, h->peak_live,
			console_bytes((double)(h->size * h->peak_live), a, sizeof(a)),
			h->allocs_per_s);
		if (h->allocs_per_frame >= 0)
			fprintf(f, ", %.1f per frame", h->allocs_per_frame);
		fprintf(f, "; it would save %.0f allocator calls/s and %s/s of churn\n",
			h->calls_saved_per_s, console_bytes(h->bytes_churned_per_s, b, sizeof(b)));
		if (h->python && h->python->depth)
			console_write_python_stack(f, h->python, "      ");
	}
}
