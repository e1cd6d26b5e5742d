// SPDX-License-Identifier: GPL-2.0
/* The Python part of a report on the console. */
#include "output/console/console_sections.h"

#include <inttypes.h>
#include <string.h>

static const char *mib(uint64_t bytes, char *buf, size_t size)
{
	snprintf(buf, size, "%.1f MiB", bytes / 1048576.0);
	return buf;
}

void console_write_python_interval(FILE *f, const struct process_report *r)
{
	const struct python_report *py = r->python;
	char a[32], b[32];

	if (!py)
		return;
	fprintf(f, "         python %s:", py->version);
	if (py->objects_known)
		fprintf(f, " %" PRIu64 " objects (%s)%s", py->objects, mib(py->object_bytes, a, sizeof(a)),
			py->census_partial ? " partial" : "");
	if (py->arenas_known)
		fprintf(f, ", pymalloc %s", mib(py->arena_bytes, b, sizeof(b)));
	if (py->gc_known)
		fprintf(f, ", gc %" PRIu64 "/%" PRIu64 "/%" PRIu64, py->gc_collections[0],
			py->gc_collections[1], py->gc_collections[2]);
	if (py->gc_time_known)
		fprintf(f, " in %.2f ms", py->gc_time_ns / 1e6);
	fputc('\n', f);
}

void console_write_python_summary(FILE *f, const struct process_report *r)
{
	const struct python_report *py = r->python;
	char a[32], b[32], c[32];
	size_t shown = 0;

	if (!py)
		return;
	fprintf(f, "  python %s (%s mode):\n", py->version, py->mode);
	fprintf(f, "    memory: native (malloc) live %s | python objects %s | pymalloc arenas %s\n",
		r->native_traced ? mib(native_live_bytes(&r->native), a, sizeof(a)) : "n/a",
		py->objects_known ? mib(py->object_bytes, b, sizeof(b)) : "n/a",
		py->arenas_known ? mib(py->arena_bytes, c, sizeof(c)) : "n/a");
	if (py->gc_known)
		fprintf(f, "    gc: %" PRIu64 "/%" PRIu64 "/%" PRIu64 " collections (gen 0/1/2)",
			py->gc_collections[0], py->gc_collections[1], py->gc_collections[2]);
	if (py->gc_counts_known)
		fprintf(f, ", %" PRIu64 " collected, %" PRIu64 " uncollectable", py->gc_collected,
			py->gc_uncollectable);
	if (py->gc_time_known)
		fprintf(f, ", %.2f ms in GC", py->gc_time_ns / 1e6);
	if (py->gc_known)
		fputc('\n', f);
	fprintf(f, "    %-40s %12s %12s %12s %12s\n", "TYPE", "LIVE", "LIVE BYTES", "CREATED",
		"DESTROYED");
	for (size_t i = 0; i < py->type_count && shown < PYTHON_CONSOLE_TOP_TYPES; i++) {
		const struct python_type_report *t = &py->types[i];
		char live[24] = "-", bytes[24] = "-", made[24] = "-", gone[24] = "-";

		if (!t->has_live)
			continue;
		snprintf(live, sizeof(live), "%" PRIu64, t->live);
		snprintf(bytes, sizeof(bytes), "%" PRIu64, t->live_bytes);
		if (t->has_events) {
			snprintf(made, sizeof(made), "%" PRIu64, t->created);
			snprintf(gone, sizeof(gone), "%" PRIu64, t->destroyed);
		}
		fprintf(f, "    %-40.40s %12s %12s %12s %12s\n", t->name, live, bytes, made, gone);
		shown++;
	}
	if (shown < py->type_count && !strcmp(py->mode, "events"))
		fprintf(f, "    (event mode sees classes only: %zu builtin types not counted)\n",
			py->type_count - shown);
}
