// SPDX-License-Identifier: GPL-2.0
/* The Python part of a report on the console. A figure that is unknown is left out of its
 * line (or shown as n/a), never as an empty slot between separators. */
#include "output/console/console_sections.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

static const char *mib(uint64_t bytes, char *buf, size_t size)
{
	snprintf(buf, size, "%.1f MiB", bytes / 1048576.0);
	return buf;
}

/* A line of figures: each after the line's head (first) or after ", ". */
struct figures {
	FILE *f;
	const char *first;
	int count;
};

__attribute__((format(printf, 2, 3)))
static void figure(struct figures *line, const char *fmt, ...)
{
	va_list ap;

	fputs(line->count++ ? ", " : line->first, line->f);
	va_start(ap, fmt);
	vfprintf(line->f, fmt, ap);
	va_end(ap);
}

static void end_figures(struct figures *line)
{
	if (!line->count)
		fprintf(line->f, "%sn/a", line->first);
	fputc('\n', line->f);
}

/* The collections the default mode's paused probes did not time (docs/python.md). */
static const char *untimed_note(const struct python_report *py, char *buf, size_t size)
{
	uint64_t untimed = py->gc_untimed[0] + py->gc_untimed[1] + py->gc_untimed[2];

	if (!untimed)
		return "";
	snprintf(buf, size, " (%" PRIu64 " untimed)", untimed);
	return buf;
}

void console_write_python_interval(FILE *f, const struct process_report *r)
{
	const struct python_report *py = r->python;
	struct figures line = { .f = f, .first = " " };
	char a[32], b[32];

	if (!py)
		return;
	fprintf(f, "         python %s:", py->version);
	if (py->objects_known)
		figure(&line, "%" PRIu64 " objects (%s)%s", py->objects,
		       mib(py->object_bytes, a, sizeof(a)), py->census_partial ? " partial" : "");
	if (py->arenas_known)
		figure(&line, "pymalloc %s", mib(py->arena_bytes, b, sizeof(b)));
	if (py->gc_known && py->gc_time_known)
		figure(&line, "gc %" PRIu64 "/%" PRIu64 "/%" PRIu64 " in %.2f ms%s",
		       py->gc_collections[0], py->gc_collections[1], py->gc_collections[2],
		       py->gc_time_ns / 1e6, untimed_note(py, a, sizeof(a)));
	else if (py->gc_known)
		figure(&line, "gc %" PRIu64 "/%" PRIu64 "/%" PRIu64, py->gc_collections[0],
		       py->gc_collections[1], py->gc_collections[2]);
	else if (py->gc_time_known)
		figure(&line, "gc time %.2f ms", py->gc_time_ns / 1e6);
	end_figures(&line);
}

static void write_gc_summary(FILE *f, const struct python_report *py)
{
	struct figures line = { .f = f, .first = "    gc: " };
	char note[64];

	if (py->gc_known)
		figure(&line, "%" PRIu64 "/%" PRIu64 "/%" PRIu64 " collections (gen 0/1/2)",
		       py->gc_collections[0], py->gc_collections[1], py->gc_collections[2]);
	if (py->gc_counts_known)
		figure(&line, "%" PRIu64 " collected, %" PRIu64 " uncollectable", py->gc_collected,
		       py->gc_uncollectable);
	if (py->gc_time_known)
		figure(&line, "%.2f ms in GC%s", py->gc_time_ns / 1e6,
		       untimed_note(py, note, sizeof(note)));
	end_figures(&line);
}

/* Event mode: where the live instances were made, most live bytes first. */
static void write_sites(FILE *f, const struct python_report *py)
{
	char b[32];
	size_t shown = 0;

	for (size_t i = 0; py->sites_known && i < py->site_count && shown < 10; i++) {
		const struct python_site_report *s = &py->sites[i];

		if (!s->live)
			continue;
		if (!shown++)
			fprintf(f, "    live instances by the code that made them:\n");
		fprintf(f, "    %s: %" PRIu64 " live (%s) of %" PRIu64 " made\n", s->type, s->live,
			mib(s->live_bytes, b, sizeof(b)), s->created);
		if (s->python.depth)
			console_write_python_stack(f, &s->python, "      ");
		else
			fprintf(f, "      (no Python frame read)\n");
	}
	if (py->sites_dropped)
		fprintf(f, "    (%" PRIu64 " instances not counted by site: its map was full)\n",
			py->sites_dropped);
}

void console_write_python_summary(FILE *f, const struct process_report *r)
{
	const struct python_report *py = r->python;
	char a[32], b[32], c[64], d[32];
	size_t shown = 0, uncounted = 0;

	if (!py)
		return;
	fprintf(f, "  python %s (%s mode%s):\n", py->version, py->mode,
		py->last_seen ? "; its interpreter ended: as last seen while it ran" : "");
	if (py->objects_known)
		snprintf(c, sizeof(c), "%s (%" PRIu64 " objects, peak %" PRIu64 ")",
			 mib(py->object_bytes, d, sizeof(d)), py->objects, py->objects_peak);
	fprintf(f, "    memory: native (malloc) live %s | python objects %s | pymalloc arenas %s\n",
		r->native_traced ? mib(native_live_bytes(&r->native), a, sizeof(a)) : "n/a",
		py->objects_known ? c : "n/a",
		py->arenas_known ? mib(py->arena_bytes, b, sizeof(b)) : "n/a");
	write_gc_summary(f, py);
	for (size_t i = 0; i < py->type_count && shown < PYTHON_CONSOLE_TOP_TYPES; i++) {
		const struct python_type_report *t = &py->types[i];
		char live[24], peak[24], bytes[24], made[24] = "-", gone[24] = "-";

		if (!t->has_live)
			continue;
		if (!shown)
			fprintf(f, "    %-40s %12s %12s %12s %12s %12s\n", "TYPE", "LIVE", "PEAK",
				"LIVE BYTES", "CREATED", "DESTROYED");
		snprintf(live, sizeof(live), "%" PRIu64, t->live);
		snprintf(peak, sizeof(peak), "%" PRIu64, t->peak_live);
		snprintf(bytes, sizeof(bytes), "%" PRIu64, t->live_bytes);
		if (t->has_events) {
			snprintf(made, sizeof(made), "%" PRIu64, t->created);
			snprintf(gone, sizeof(gone), "%" PRIu64, t->destroyed);
		}
		fprintf(f, "    %-40.40s %12s %12s %12s %12s %12s\n", t->name, live, peak, bytes, made,
			gone);
		shown++;
	}
	if (!shown)
		fprintf(f, "    types: n/a\n");
	for (size_t i = 0; i < py->type_count; i++)
		uncounted += !py->types[i].has_live;
	if (uncounted)
		fprintf(f, "    (event mode counts the classes whose frees it sees: %zu other types "
			"not counted)\n", uncounted);
	write_sites(f, py);
}
