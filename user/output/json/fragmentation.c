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
	known_uint(w, f->pymalloc_known, "pymalloc_arena_bytes", f->pymalloc_arena_bytes);
	known_uint(w, f->rss_bytes != 0, "rss_bytes", f->rss_bytes);
	if (f->live_known && f->held_known)
		jsonw_int_field(w, "gap_bytes", fragmentation_gap(f));
	else
		jsonw_null_field(w, "gap_bytes");
	if (f->judged) {
		jsonw_string_field(w, "verdict", f->fragmenting ? "fragmenting" : "not_fragmenting");
		jsonw_double_field(w, "gap_growth_per_s", f->gap_growth_per_s);
		jsonw_double_field(w, "live_growth_per_s", f->live_growth_per_s);
	} else {
		jsonw_null_field(w, "verdict");
		jsonw_null_field(w, "gap_growth_per_s");
		jsonw_null_field(w, "live_growth_per_s");
	}
	known_uint(w, f->found, "found_at_ns", f->found_at_ns);
	jsonw_end_object(w);
}
