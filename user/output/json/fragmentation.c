// SPDX-License-Identifier: GPL-2.0
/* "fragmentation": live requested bytes against what the allocators hold and RSS
 * (docs/json.md), in the interval and summary objects. */
#include "output/json/json_sections.h"

#include "model/fragmentation_report.h"

static void known_uint(struct json_writer *w, bool known, const char *name, uint64_t value)
{
	if (known)
		jsonw_uint_field(w, name, value);
	else
		jsonw_null_field(w, name);
}

static void write_verdict(struct json_writer *w, const struct fragmentation_verdict *v)
{
	if (v->judged) {
		jsonw_string_field(w, "verdict", v->fragmenting ? "fragmenting" : "not_fragmenting");
		jsonw_double_field(w, "gap_growth_per_s", v->gap_growth_per_s);
		jsonw_double_field(w, "live_growth_per_s", v->live_growth_per_s);
	} else {
		jsonw_null_field(w, "verdict");
		jsonw_null_field(w, "gap_growth_per_s");
		jsonw_null_field(w, "live_growth_per_s");
	}
	known_uint(w, v->found, "found_at_ns", v->found_at_ns);
}

static void write_pymalloc(struct json_writer *w, const struct fragmentation_report *f)
{
	const struct pymalloc_usage *pm = &f->pymalloc;

	jsonw_name(w, "pymalloc");
	if (!pm->known) {
		jsonw_null(w);
		return;
	}
	jsonw_start_object(w);
	jsonw_uint_field(w, "arenas", pm->arenas);
	jsonw_uint_field(w, "arena_bytes", pm->arena_bytes);
	jsonw_uint_field(w, "pools_used", pm->pools_used);
	jsonw_uint_field(w, "pools_free", pm->pools_free);
	jsonw_uint_field(w, "pool_size", pm->pool_size);
	known_uint(w, pm->blocks_known, "block_bytes", pm->block_bytes);
	jsonw_bool_field(w, "blocks_partial", pm->blocks_partial);
	if (pm->blocks_known)
		jsonw_int_field(w, "gap_bytes", (int64_t)pm->arena_bytes - (int64_t)pm->block_bytes);
	else
		jsonw_null_field(w, "gap_bytes");
	write_verdict(w, &f->pymalloc_verdict);
	jsonw_end_object(w);
}

void json_write_fragmentation(struct json_writer *w, const struct process_report *r)
{
	const struct fragmentation_report *f = r->fragmentation;
	const struct glibc_heap *g;

	if (!f)
		return;
	g = &f->glibc;
	jsonw_name(w, "fragmentation");
	jsonw_start_object(w);
	known_uint(w, f->live_known, "live_bytes", f->live_bytes);
	known_uint(w, f->held_known, "held_bytes", f->held_bytes);
	jsonw_string_field(w, "held_from", g->arena_known ? "main_arena" :
					   g->heap_known ? "heap_mapping" : "none");
	known_uint(w, g->arena_known, "top_free_bytes", g->top_bytes);
	known_uint(w, g->free_known, "free_chunk_bytes", g->free_bytes);
	known_uint(w, g->free_known, "free_chunks", g->free_chunks);
	jsonw_bool_field(w, "free_chunks_partial", g->free_partial);
	known_uint(w, g->heap_known, "heap_mapping_bytes", g->heap_bytes);
	known_uint(w, f->rss_bytes != 0, "rss_bytes", f->rss_bytes);
	if (f->live_known && f->held_known)
		jsonw_int_field(w, "gap_bytes", fragmentation_gap(f));
	else
		jsonw_null_field(w, "gap_bytes");
	write_verdict(w, &f->glibc_verdict);
	write_pymalloc(w, f);
	jsonw_end_object(w);
}
