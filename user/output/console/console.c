// SPDX-License-Identifier: GPL-2.0
/* The human view: a line per process and interval, a summary per process at the end. */
#include <inttypes.h>
#include <stdlib.h>

#include "output/console/console_sections.h"
#include "output/output.h"

struct console_output {
	struct output base;
	FILE *f;
	bool header_printed;
};

const char *console_bytes(double bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int unit = 0;
	bool negative = bytes < 0;

	if (negative)
		bytes = -bytes;
	while (bytes >= 1024 && unit < 4) {
		bytes /= 1024;
		unit++;
	}
	snprintf(buf, size, unit ? "%s%.1f %s" : "%s%.0f %s", negative ? "-" : "", bytes,
		 units[unit]);
	return buf;
}

static void console_interval(struct output *out, const struct process_report *r)
{
	struct console_output *c = (struct console_output *)out;
	const struct native_totals *d = &r->native_delta;
	double seconds = r->interval_ns ? r->interval_ns / 1e9 : 1;
	/* ">=": after drops the live figures are lower bounds (DROPPED bounds the error). */
	const char *at_least = native_live_approximate(&r->native) ? ">=" : "";
	char rate[32], live_bytes[32], live[40], live_allocs[32], mapped[32], rss[32];

	if (!c->header_printed) {
		fprintf(c->f, "%-8s %-8s %10s %10s %12s %12s %11s %12s %10s %8s\n", "TIME(s)", "PID",
			"ALLOCS/s", "FREES/s", "ALLOC B/s", "LIVE", "LIVE ALLOCS", "MMAP NET", "RSS",
			"DROPPED");
		c->header_printed = true;
	}
	snprintf(live, sizeof(live), "%s%s", at_least,
		 console_bytes((double)native_live_bytes(&r->native), live_bytes, sizeof(live_bytes)));
	snprintf(live_allocs, sizeof(live_allocs), "%s%" PRIu64, at_least,
		 native_live_allocs(&r->native));
	fprintf(c->f, "%-8.1f %-8d %10.0f %10.0f %12s %12s %11s %12s %10s %8" PRIu64 "\n",
		r->elapsed_ns / 1e9, r->pid, d->allocs / seconds, d->frees / seconds,
		console_bytes(d->bytes_allocated / seconds, rate, sizeof(rate)), live, live_allocs,
		console_bytes((double)r->mmap.bytes_mapped - (double)r->mmap.bytes_unmapped +
			    (double)r->mmap.brk_growth, mapped, sizeof(mapped)),
		console_bytes((double)r->rss_bytes, rss, sizeof(rss)), r->native.dropped);
	if (r->native_windowed)   /* after the columns: the native ones are windowed */
		fprintf(c->f, "%-8s windowed: %u windows, exact %.1f%% of the time%s\n", "",
			r->exact_windows, r->exact_share * 100, r->window_open ? ", one open" : "");
	console_write_python_interval(c->f, r);
	console_write_fragmentation_interval(c->f, r);
	console_write_gpu_interval(c->f, r);
	fflush(c->f);
}

static void print_histogram(FILE *f, const struct native_totals *n)
{
	uint64_t peak = 0;
	char lo[32];

	for (int b = 0; b < ALLOC_SIZE_BUCKETS; b++)
		if (n->size_hist[b] > peak)
			peak = n->size_hist[b];
	if (!peak)
		return;
	fprintf(f, "  allocation sizes:\n");
	for (int b = 0; b < ALLOC_SIZE_BUCKETS; b++) {
		int bar;

		if (!n->size_hist[b])
			continue;
		bar = (int)(n->size_hist[b] * 40 / peak);
		fprintf(f, "    >= %-10s %10" PRIu64 " |%.*s\n",
			console_bytes(b ? (double)(1ull << b) : 0, lo, sizeof(lo)), n->size_hist[b], bar,
			"########################################");
	}
}

/* After drops: what is known of the live figures, and why. */
static void print_approximate(FILE *f, const struct native_totals *n)
{
	char dropped[32], lo[32], hi[32];

	fprintf(f, "  live figures approximate: %" PRIu64 " allocations (%s) were dropped, not "
		"tracked (outstanding map full): live is between %" PRIu64 " allocations (%s) and %"
		PRIu64 " allocations (%s); %" PRIu64 " frees were of dropped blocks or of blocks "
		"allocated before attach\n", n->dropped,
		console_bytes((double)n->bytes_dropped, dropped, sizeof(dropped)),
		native_live_allocs(n), console_bytes((double)native_live_bytes(n), lo, sizeof(lo)),
		native_live_allocs_max(n),
		console_bytes((double)native_live_bytes_max(n), hi, sizeof(hi)),
		n->frees_dropped_or_untracked);
}

static void console_summary(struct output *out, const struct process_report *r)
{
	struct console_output *c = (struct console_output *)out;
	const struct native_totals *n = &r->native;
	const struct mmap_totals *m = &r->mmap;
	char a[32], b[32], l[32];

	fprintf(c->f, "\nPID %d (%s): traced %.1f s%s\n", r->pid, r->comm, r->elapsed_ns / 1e9,
		r->exited ? ", process exited" : "");
	if (!r->native_traced) {
		fprintf(c->f, "  malloc/free not traced (--light)\n");
	} else {
		if (r->native_windowed)
			fprintf(c->f, "  native figures windowed: %u exact windows, %.1f%% of the "
				"run seen exactly (--exact for every call)\n", r->exact_windows,
				r->exact_share * 100);
		fprintf(c->f, "  allocations %" PRIu64 " (%s), frees %" PRIu64 " (%s), live %" PRIu64
			" allocations (%s)\n", n->allocs,
			console_bytes((double)n->bytes_allocated, a, sizeof(a)), n->frees,
			console_bytes((double)n->bytes_freed, b, sizeof(b)), native_live_allocs(n),
			console_bytes((double)native_live_bytes(n), l, sizeof(l)));
		fprintf(c->f, "  peak live %s (%" PRIu64 " allocations) at %.1f s",
			console_bytes((double)r->peak.live_bytes, a, sizeof(a)), r->peak.live_allocs,
			r->peak.elapsed_ns / 1e9);
		if (r->last_running)
			fprintf(c->f, "; live at its last report while running %s (%" PRIu64
				" allocations)", console_bytes((double)native_live_bytes(r->last_running),
							     b, sizeof(b)),
				native_live_allocs(r->last_running));
		fputc('\n', c->f);
		fprintf(c->f, "  failed %" PRIu64 ", frees of blocks allocated before attach %" PRIu64
			", dropped %" PRIu64 " (map full), stacks dropped %" PRIu64 "\n",
			n->failed_allocs, n->frees_untracked, n->dropped, n->stack_dropped);
		if (native_live_approximate(n))
			print_approximate(c->f, n);
	}
	fprintf(c->f, "  mmap %" PRIu64 " (%s), munmap %" PRIu64 " (%s), mremap %" PRIu64
		", brk growth %s\n", m->mmaps, console_bytes((double)m->bytes_mapped, a, sizeof(a)),
		m->munmaps, console_bytes((double)m->bytes_unmapped, b, sizeof(b)), m->mremaps,
		console_bytes((double)m->brk_growth, l, sizeof(l)));
	print_histogram(c->f, n);
	if (r->native_traced && native_stacks_partial(n))
		fprintf(c->f, "  top stacks by outstanding bytes (partial: up to %" PRIu64
			" allocations have no stack counted, see dropped):\n",
			n->stack_dropped + n->dropped);
	else if (r->stack_count)
		fprintf(c->f, "  top stacks by outstanding bytes:\n");
	if (r->stack_count && r->python_stack_sample_bytes)
		fprintf(c->f, "  (Python frames on a sample of the allocations: one per %s on average, "
			"--py-stack-sample; unsampled ones are under their native stack alone)\n",
			console_bytes((double)r->python_stack_sample_bytes, a, sizeof(a)));
	for (size_t i = 0; i < r->stack_count; i++) {
		const struct stack_report *s = &r->stacks[i];

		fprintf(c->f, "  #%zu %s in %" PRIu64 " allocations (of %" PRIu64 " made here)\n",
			i + 1, console_bytes((double)s->live_bytes, a, sizeof(a)), s->live_allocs,
			s->allocs);
		for (size_t f = 0; f < s->depth; f++)
			fprintf(c->f, "      %s\n", s->frames[f]);
		console_write_python_stack(c->f, &s->python, "      ");
		if (r->lifetimes)
			console_write_stack_lifetimes(c->f, s, r->lifetimes->temporary_ns / 1e6);
	}
	console_write_lifetimes(c->f, r);
	console_write_heap_growth(c->f, r);
	console_write_fragmentation(c->f, r);
	console_write_python_summary(c->f, r);
	console_write_gpu_summary(c->f, r);
	console_write_analysis(c->f, r);
	fflush(c->f);
}

static void console_event(struct output *out, const struct analysis_event *ev)
{
	console_write_event(((struct console_output *)out)->f, ev);
}

static void console_groups(struct output *out, const struct group_totals *t)
{
	console_write_groups(((struct console_output *)out)->f, t);
}

static void console_destroy(struct output *out)
{
	free(out);
}

struct output *console_output__new(FILE *f)
{
	struct console_output *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->base = (struct output){ .interval = console_interval, .summary = console_summary,
				   .destroy = console_destroy, .event = console_event,
				   .groups = console_groups };
	c->f = f;
	return &c->base;
}
