// SPDX-License-Identifier: GPL-2.0
/* The Python part of a report as JSON (docs/python.md, docs/json.md). */
#include "output/json/json_sections.h"

#include <inttypes.h>
#include <string.h>

static void uint_or_null(struct json_writer *w, const char *name, bool known, uint64_t v)
{
	if (known)
		jsonw_uint_field(w, name, v);
	else
		jsonw_null_field(w, name);
}

/* A figure per GC generation, [g0, g1, g2]. */
static void generations_or_null(struct json_writer *w, const char *name, bool known,
				const uint64_t v[3])
{
	jsonw_name(w, name);
	if (!known) {
		jsonw_null(w);
		return;
	}
	jsonw_start_array(w);
	for (int g = 0; g < 3; g++)
		jsonw_uint(w, v[g]);
	jsonw_end_array(w);
}

static void int_or_null(struct json_writer *w, const char *name, int64_t v)
{
	if (v >= 0)
		jsonw_int_field(w, name, v);
	else
		jsonw_null_field(w, name);
}

static void write_type(struct json_writer *w, const struct python_type_report *t)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "name", t->name);
	uint_or_null(w, "live", t->has_live, t->live);
	uint_or_null(w, "live_bytes", t->has_live, t->live_bytes);
	uint_or_null(w, "peak_live", t->has_live, t->peak_live);
	uint_or_null(w, "created", t->has_events, t->created);
	uint_or_null(w, "destroyed", t->has_events, t->destroyed);
	jsonw_end_object(w);
}

/* Over every type, listed or not: what a lean line leaves out still adds up. */
static void write_types_total(struct json_writer *w, const struct python_report *py,
			      size_t listed)
{
	uint64_t live = 0, live_bytes = 0;
	bool known = false;

	for (size_t i = 0; i < py->type_count; i++) {
		if (!py->types[i].has_live)
			continue;
		known = true;
		live += py->types[i].live;
		live_bytes += py->types[i].live_bytes;
	}
	jsonw_name(w, "types_total");
	jsonw_start_object(w);
	jsonw_uint_field(w, "count", py->type_count);
	jsonw_uint_field(w, "listed", listed);
	uint_or_null(w, "live", known, live);
	uint_or_null(w, "live_bytes", known, live_bytes);
	jsonw_end_object(w);
}

/* Event mode's summary: instances per type and Python stack, most live bytes first. */
static void write_sites(struct json_writer *w, const struct python_report *py)
{
	if (!py->sites_known)
		return;
	jsonw_name(w, "sites");
	jsonw_start_array(w);
	for (size_t i = 0; i < py->site_count; i++) {
		const struct python_site_report *s = &py->sites[i];

		jsonw_start_object(w);
		jsonw_string_field(w, "type", s->type);
		jsonw_uint_field(w, "created", s->created);
		jsonw_uint_field(w, "destroyed", s->destroyed);
		jsonw_uint_field(w, "live", s->live);
		jsonw_uint_field(w, "live_bytes", s->live_bytes);
		json_write_python_stack(w, &s->python);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_uint_field(w, "sites_dropped", py->sites_dropped);
}

void json_write_python(struct json_writer *w, const struct process_report *r,
		       const struct json_type_listing *listing)
{
	const struct python_report *py = r->python;
	size_t listed = listing ? listing->count : py ? py->type_count : 0;

	if (!py)
		return;
	jsonw_name(w, "python");
	jsonw_start_object(w);
	jsonw_string_field(w, "version", py->version);
	jsonw_string_field(w, "mode", py->mode);
	jsonw_bool_field(w, "last_seen", py->last_seen);
	jsonw_name(w, "types");
	jsonw_start_array(w);
	for (size_t k = 0; k < listed; k++)
		write_type(w, &py->types[listing ? listing->index[k] : k]);
	jsonw_end_array(w);
	write_types_total(w, py, listed);
	jsonw_name(w, "gc");
	jsonw_start_object(w);
	generations_or_null(w, "collections", py->gc_known, py->gc_collections);
	uint_or_null(w, "collected", py->gc_counts_known, py->gc_collected);
	uint_or_null(w, "uncollectable", py->gc_counts_known, py->gc_uncollectable);
	uint_or_null(w, "time_ns", py->gc_time_known, py->gc_time_ns);
	uint_or_null(w, "events_dropped", py->gc_time_known, py->gc_events_dropped);
	uint_or_null(w, "young_unlisted", py->gc_time_known, py->gc_young_unlisted);
	generations_or_null(w, "untimed", py->gc_time_known, py->gc_untimed);
	jsonw_end_object(w);
	jsonw_name(w, "memory");
	jsonw_start_object(w);
	uint_or_null(w, "objects", py->objects_known, py->objects);
	uint_or_null(w, "object_bytes", py->objects_known, py->object_bytes);
	uint_or_null(w, "objects_peak", py->objects_known, py->objects_peak);
	jsonw_bool_field(w, "census_partial", py->census_partial);
	uint_or_null(w, "pymalloc_arena_bytes", py->arenas_known, py->arena_bytes);
	if (r->native_traced)
		jsonw_uint_field(w, "native_live_bytes", native_live_bytes(&r->native));
	else
		jsonw_null_field(w, "native_live_bytes");
	jsonw_end_object(w);
	json_write_python_growth(w, r);
	write_sites(w, py);
	jsonw_end_object(w);
}

void json_write_gc_events(struct json_writer *w, const struct process_report *r)
{
	const struct python_report *py = r->python;

	if (!py)
		return;
	for (size_t i = 0; i < py->gc_event_count; i++) {
		const struct python_gc_event *e = &py->gc_events[i];

		jsonw_start_object(w);
		jsonw_string_field(w, "type", "gc");
		jsonw_int_field(w, "pid", r->pid);
		if (e->generation >= 0)
			jsonw_int_field(w, "generation", e->generation);
		else
			jsonw_null_field(w, "generation");
		jsonw_uint_field(w, "start_ns", e->start_ns);
		jsonw_uint_field(w, "duration_ns", e->duration_ns);
		int_or_null(w, "collected", e->collected);
		int_or_null(w, "uncollectable", e->uncollectable);
		if (e->trigger.depth)
			json_write_python_stack(w, &e->trigger);
		jsonw_end_object(w);
	}
}
