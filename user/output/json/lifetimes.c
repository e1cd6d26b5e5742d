// SPDX-License-Identifier: GPL-2.0
/* Lifetimes of freed blocks (per stack, per type, per process) and pool hints
 * (docs/json.md "Lifetimes and pools"). */
#include "output/json/json_sections.h"

#include "analysis/lifetimes.h"

static void write_lifetime_fields(struct json_writer *w, const struct lifetime_stats *s,
				  uint64_t allocs, uint64_t live)
{
	uint64_t freed = lifetime_stats__count(s), lo, hi;

	jsonw_uint_field(w, "freed", freed);
	jsonw_uint_field(w, "temporary", s->temporary);
	jsonw_uint_field(w, "survivors", live);
	jsonw_double_field(w, "survival_share", lifetime_survival_share(allocs, live));
	if (freed) {
		jsonw_double_field(w, "mean_ns", (double)s->total_ns / (double)freed);
		jsonw_double_field(w, "median_ns", lifetime_stats__quantile_ns(s, 0.5));
		jsonw_double_field(w, "p90_ns", lifetime_stats__quantile_ns(s, 0.9));
	} else {
		jsonw_null_field(w, "mean_ns");
		jsonw_null_field(w, "median_ns");
		jsonw_null_field(w, "p90_ns");
	}
	jsonw_name(w, "histogram");
	jsonw_start_array(w);
	for (int b = 0; b < LIFETIME_BUCKETS; b++) {
		if (!s->hist[b])
			continue;
		lifetime_bucket_bounds(b, &lo, &hi);
		jsonw_start_object(w);
		jsonw_uint_field(w, "min_ns", lo);
		if (hi == UINT64_MAX)
			jsonw_null_field(w, "max_ns");
		else
			jsonw_uint_field(w, "max_ns", hi);
		jsonw_uint_field(w, "count", s->hist[b]);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
}

void json_write_lifetimes(struct json_writer *w, const struct lifetime_stats *s, uint64_t allocs,
			  uint64_t live)
{
	jsonw_name(w, "lifetimes");
	jsonw_start_object(w);
	write_lifetime_fields(w, s, allocs, live);
	jsonw_end_object(w);
}

static void write_pool(struct json_writer *w, const struct pool_hint *h)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "kind", h->python_type ? "python_type" : "native_stack");
	jsonw_string_field(w, "name", h->name);
	if (!h->python_type) {
		jsonw_int_field(w, "stack_id", h->stack_id);
		jsonw_string_array_field(w, "frames", h->frames, h->depth);
		if (h->python && h->python->depth)
			json_write_python_stack(w, h->python);
	}
	jsonw_uint_field(w, "size", h->size);
	jsonw_uint_field(w, "peak_live", h->peak_live);
	jsonw_uint_field(w, "pool_bytes", h->size * h->peak_live);
	jsonw_uint_field(w, "allocs", h->allocs);
	jsonw_uint_field(w, "frees", h->frees);
	jsonw_double_field(w, "allocs_per_s", h->allocs_per_s);
	if (h->allocs_per_frame >= 0)
		jsonw_double_field(w, "allocs_per_frame", h->allocs_per_frame);
	else
		jsonw_null_field(w, "allocs_per_frame");
	jsonw_double_field(w, "calls_saved_per_s", h->calls_saved_per_s);
	jsonw_double_field(w, "bytes_churned_per_s", h->bytes_churned_per_s);
	jsonw_end_object(w);
}

void json_write_lifetime_summary(struct json_writer *w, const struct process_report *r)
{
	const struct lifetime_summary *ls = r->lifetimes;

	if (!ls) {
		jsonw_null_field(w, "lifetimes");
		jsonw_null_field(w, "pools");
		return;
	}
	jsonw_name(w, "lifetimes");
	jsonw_start_object(w);
	jsonw_double_field(w, "temporary_ms", ls->temporary_ns / 1e6);
	write_lifetime_fields(w, &ls->total, r->native.allocs, native_live_allocs(&r->native));
	jsonw_name(w, "stacks");
	jsonw_start_array(w);
	for (size_t i = 0; i < ls->stack_count; i++) {
		const struct stack_report *s = &ls->stacks[i];

		jsonw_start_object(w);
		jsonw_int_field(w, "stack_id", s->stack_id);
		jsonw_uint_field(w, "allocs", s->allocs);
		jsonw_uint_field(w, "live_allocs", s->live_allocs);
		jsonw_uint_field(w, "peak_live", s->peak_live);
		jsonw_uint_field(w, "size_min", s->size_min);
		jsonw_uint_field(w, "size_max", s->size_max);
		json_write_lifetimes(w, &s->lifetimes, s->allocs, s->live_allocs);
		jsonw_string_array_field(w, "frames", s->frames, s->depth);
		if (s->python.depth)
			json_write_python_stack(w, &s->python);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_name(w, "types");
	jsonw_start_array(w);
	for (size_t i = 0; i < ls->type_count; i++) {
		const struct python_type_report *t = ls->types[i];

		jsonw_start_object(w);
		jsonw_string_field(w, "name", t->name);
		jsonw_uint_field(w, "created", t->created);
		jsonw_uint_field(w, "destroyed", t->destroyed);
		jsonw_uint_field(w, "peak_live", t->events_peak_live);
		json_write_lifetimes(w, &t->lifetimes, t->created, t->created - t->destroyed);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_end_object(w);
	jsonw_name(w, "pools");
	jsonw_start_array(w);
	for (size_t i = 0; i < ls->pool_count; i++)
		write_pool(w, &ls->pools[i]);
	jsonw_end_array(w);
}
