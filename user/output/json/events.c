// SPDX-License-Identifier: GPL-2.0
/* Frames, analysis events and the analysis part of the summary as JSON (docs/json.md). */
#include "output/json/json_sections.h"

#include <inttypes.h>
#include <math.h>

#include "model/analysis_events.h"
#include "target/sysctx.h"

/* A figure, or null where the allocator is not probed (--light). */
static void write_known_uint(struct json_writer *w, bool known, const char *name, uint64_t value)
{
	if (known)
		jsonw_uint_field(w, name, value);
	else
		jsonw_null_field(w, name);
}

static void write_frame_counts(struct json_writer *w, bool known, uint64_t allocs, uint64_t frees,
			       uint64_t bytes_allocated, uint64_t bytes_freed)
{
	write_known_uint(w, known, "allocs", allocs);
	write_known_uint(w, known, "frees", frees);
	write_known_uint(w, known, "bytes_allocated", bytes_allocated);
	write_known_uint(w, known, "bytes_freed", bytes_freed);
	if (known)
		jsonw_int_field(w, "net_bytes", (int64_t)(bytes_allocated - bytes_freed));
	else
		jsonw_null_field(w, "net_bytes");
}

void json_write_frame(struct json_writer *w, const struct frame_report *f)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "type", "frame");
	jsonw_int_field(w, "pid", f->pid);
	jsonw_uint_field(w, "seq", f->seq);
	jsonw_uint_field(w, "start_ns", f->start_ns);
	jsonw_uint_field(w, "duration_ns", f->end_ns > f->start_ns ? f->end_ns - f->start_ns : 0);
	write_known_uint(w, f->tracer_known, "tracer_ns", f->tracer_ns);
	write_frame_counts(w, f->native_known, f->allocs, f->frees, f->bytes_allocated,
			   f->bytes_freed);
	write_known_uint(w, f->native_known, "live_bytes", f->live_bytes);
	write_known_uint(w, f->native_known, "live_allocs", f->live_allocs);
	jsonw_double_field(w, "fps", f->fps);
	jsonw_bool_field(w, "dropped", f->dropped);
	jsonw_uint_field(w, "lost_before", f->lost);
	if (f->gc_known)
		jsonw_uint_field(w, "gc_runs", f->gc_runs);
	else
		jsonw_null_field(w, "gc_runs");
	if (f->objects_known) {
		jsonw_uint_field(w, "objects_created", f->objects_created);
		jsonw_uint_field(w, "objects_freed", f->objects_freed);
	} else {
		jsonw_null_field(w, "objects_created");
		jsonw_null_field(w, "objects_freed");
	}
	jsonw_name(w, "stages");
	jsonw_start_object(w);
	for (int k = 0; k < f->stage_count; k++) {
		const struct frame_stage_report *s = &f->stages[k];

		jsonw_name(w, s->name);
		jsonw_start_object(w);
		write_frame_counts(w, f->native_known, s->allocs, s->frees, s->bytes_allocated,
				   s->bytes_freed);
		jsonw_uint_field(w, "duration_ns", s->duration_ns);
		jsonw_uint_field(w, "hits", s->hits);
		jsonw_end_object(w);
	}
	jsonw_end_object(w);
	jsonw_end_object(w);
}

static const char *event_type_name(enum analysis_event_type t)
{
	switch (t) {
	case EVENT_SPIKE: return "spike";
	case EVENT_LEAK: return "leak";
	case EVENT_DRIFT: return "drift";
	case EVENT_BUDGET: return "budget";
	case EVENT_FRAGMENTATION: return "fragmentation";
	case EVENT_FORECAST: return "forecast";
	case EVENT_OOM: return "oom";
	}
	return "?";
}

/* A leak judged at exit by what survived warm-up (docs/analysis.md), or null. */
static void survival(struct json_writer *w, const struct analysis_event *ev)
{
	if (!ev->survival) {
		jsonw_null_field(w, "survival");
		return;
	}
	jsonw_name(w, "survival");
	jsonw_start_object(w);
	jsonw_double_field(w, "warmup_s", ev->warmup_s);
	if (ev->made >= 0)
		jsonw_double_field(w, "made", ev->made);
	else
		jsonw_null_field(w, "made");
	jsonw_double_field(w, "survived", ev->live);
	if (ev->survived_share >= 0)
		jsonw_double_field(w, "share", ev->survived_share);
	else
		jsonw_null_field(w, "share");
	jsonw_end_object(w);
}

/* What holds a leaking Python type's instances (census mode): the top paths. */
static void retained_by(struct json_writer *w, const struct retainer_report *r)
{
	jsonw_name(w, "retained_by");
	jsonw_start_array(w);
	for (size_t i = 0; i < r->count; i++) {
		jsonw_start_object(w);
		jsonw_string_field(w, "path", r->paths[i].path);
		jsonw_uint_field(w, "count", r->paths[i].count);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_uint_field(w, "retained_instances", r->instances);
	jsonw_uint_field(w, "retained_sampled", r->sampled);
	jsonw_bool_field(w, "retained_partial", r->partial);
}
static void write_event_fields(struct json_writer *w, const struct analysis_event *ev)
{
	switch (ev->type) {
	case EVENT_SPIKE:
		if (ev->in_frame) {
			jsonw_uint_field(w, "frame", ev->seq);
			jsonw_null_field(w, "interval");
		} else {
			jsonw_null_field(w, "frame");
			jsonw_uint_field(w, "interval", ev->seq);
		}
		jsonw_double_field(w, "bytes", ev->bytes);
		jsonw_double_field(w, "baseline_bytes", ev->baseline_bytes);
		jsonw_double_field(w, "ratio", ev->ratio);
		jsonw_double_field(w, "mads", ev->mads);
		jsonw_string_field(w, "rule", ev->over_limit ? "spike_bytes" : "median_mad");
		if (ev->top[0]) {
			jsonw_string_field(w, "top", ev->top);
			jsonw_double_field(w, "top_bytes", ev->top_bytes);
		} else {
			jsonw_null_field(w, "top");
			jsonw_null_field(w, "top_bytes");
		}
		if (ev->top_python[0])
			jsonw_string_field(w, "top_python", ev->top_python);
		else
			jsonw_null_field(w, "top_python");
		if (ev->top_type[0]) {
			jsonw_string_field(w, "top_type", ev->top_type);
			jsonw_double_field(w, "top_type_growth", ev->top_type_growth);
		} else {
			jsonw_null_field(w, "top_type");
			jsonw_null_field(w, "top_type_growth");
		}
		break;
	case EVENT_LEAK:
		jsonw_string_field(w, "kind", ev->python_type ? "python_type" : "native_stack");
		jsonw_string_field(w, "name", ev->name);
		if (ev->python_type)
			jsonw_null_field(w, "stack");
		else
			jsonw_string_array_field(w, "stack", ev->stack, ev->depth);
		if (ev->python_stack)
			json_write_python_stack(w, ev->python_stack);
		jsonw_string_field(w, "severity", leak_severity_name(ev->severity));
		jsonw_double_field(w, "growth_per_s", ev->growth_per_s);
		jsonw_double_field(w, "live", ev->live);
		jsonw_string_field(w, "unit", ev->python_type ? "objects" : "bytes");
		jsonw_uint_field(w, "samples", ev->samples);
		if (ev->per_frame_known) {
			jsonw_double_field(w, "per_frame", ev->per_frame);
			jsonw_uint_field(w, "frames_judged", ev->frames_judged);
			jsonw_uint_field(w, "frames_left", ev->frames_left);
		} else {
			jsonw_null_field(w, "per_frame");
			jsonw_null_field(w, "frames_judged");
			jsonw_null_field(w, "frames_left");
		}
		survival(w, ev);
		if (ev->python_type && ev->retained_by.known)
			retained_by(w, &ev->retained_by);
		break;
	case EVENT_DRIFT:
		jsonw_string_field(w, "metric", ev->metric);
		jsonw_double_field(w, "baseline", ev->baseline);
		jsonw_double_field(w, "current", ev->current);
		jsonw_double_field(w, "change", ev->change);
		jsonw_double_field(w, "rel", ev->rel);
		break;
	case EVENT_BUDGET:
		jsonw_string_field(w, "budget", ev->budget);
		jsonw_string_field(w, "state", ev->state);
		jsonw_double_field(w, "value", ev->value);
		jsonw_double_field(w, "limit", ev->limit);
		jsonw_double_field(w, "excess", ev->excess);
		jsonw_double_field(w, "since_s", ev->since_s);
		jsonw_double_field(w, "duration_s", ev->duration_s);
		jsonw_double_field(w, "peak", ev->peak);
		jsonw_string_field(w, "unit", ev->python_type ? "objects" : "bytes");
		if (ev->budget_parent[0])
			jsonw_string_field(w, "parent", ev->budget_parent);
		else
			jsonw_null_field(w, "parent");
		jsonw_int_field(w, "level", ev->budget_level);
		jsonw_bool_field(w, "group", ev->budget_group);
		break;
	case EVENT_OOM:
		json_write_oom(w, ev);
		break;
	case EVENT_FRAGMENTATION:
		jsonw_string_field(w, "allocator", ev->name);
		jsonw_double_field(w, "live_bytes", ev->live);
		jsonw_double_field(w, "held_bytes", ev->held);
		jsonw_double_field(w, "rss_bytes", ev->rss);
		jsonw_double_field(w, "gap_bytes", ev->gap);
		jsonw_double_field(w, "gap_growth_per_s", ev->gap_growth_per_s);
		jsonw_double_field(w, "live_growth_per_s", ev->growth_per_s);
		break;
	case EVENT_FORECAST:
		jsonw_string_field(w, "limit_of", ev->budget);
		jsonw_double_field(w, "value", ev->value);
		jsonw_double_field(w, "limit", ev->limit);
		jsonw_double_field(w, "growth_per_s", ev->growth_per_s);
		jsonw_double_field(w, "eta_s", ev->eta_s);
		jsonw_double_field(w, "eta_low_s", ev->eta_low_s);
		if (isfinite(ev->eta_high_s))
			jsonw_double_field(w, "eta_high_s", ev->eta_high_s);
		else
			jsonw_null_field(w, "eta_high_s");
		jsonw_double_field(w, "horizon_s", ev->horizon_s);
		jsonw_string_field(w, "unit", ev->python_type ? "objects" : "bytes");
		break;
	}
}

void json_write_event(struct json_writer *w, const struct analysis_event *ev)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "type", event_type_name(ev->type));
	if (ev->pid)
		jsonw_int_field(w, "pid", ev->pid);
	else   /* a budget over processes */
		jsonw_null_field(w, "pid");
	jsonw_uint_field(w, "elapsed_ns", ev->elapsed_ns);
	write_event_fields(w, ev);
	jsonw_end_object(w);
}

void json_write_system(struct json_writer *w, const struct process_report *r)
{
	const struct system_context *c = r->system;

	if (!c)
		return;
	jsonw_name(w, "system");
	jsonw_start_object(w);
	if (c->pss_known)
		jsonw_uint_field(w, "pss_bytes", c->pss_bytes);
	else
		jsonw_null_field(w, "pss_bytes");
	if (c->cgroup[0])
		jsonw_string_field(w, "cgroup", c->cgroup);
	else
		jsonw_null_field(w, "cgroup");
	if (c->cgroup_known)
		jsonw_uint_field(w, "cgroup_memory_current", c->cgroup_current);
	else
		jsonw_null_field(w, "cgroup_memory_current");
	if (c->cgroup_max_known)
		jsonw_uint_field(w, "cgroup_memory_max", c->cgroup_max);
	else
		jsonw_null_field(w, "cgroup_memory_max");
	jsonw_end_object(w);
}

static void write_event_list(struct json_writer *w, const char *name,
			     const struct analysis_event *evs, size_t n)
{
	jsonw_name(w, name);
	jsonw_start_array(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_start_object(w);
		jsonw_uint_field(w, "elapsed_ns", evs[i].elapsed_ns);
		write_event_fields(w, &evs[i]);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
}

static void write_class(struct json_writer *w, const char *name, const struct frame_class_totals *c,
			bool memory_known)
{
	jsonw_name(w, name);
	jsonw_start_object(w);
	jsonw_uint_field(w, "frames", c->frames);
	write_known_uint(w, memory_known, "allocs", c->allocs);
	write_known_uint(w, memory_known, "bytes_allocated", c->bytes_allocated);
	if (memory_known)
		jsonw_double_field(w, "bytes_allocated_per_frame",
				   c->frames ? (double)c->bytes_allocated / c->frames : 0);
	else
		jsonw_null_field(w, "bytes_allocated_per_frame");
	jsonw_uint_field(w, "gc_runs", c->gc_runs);
	jsonw_end_object(w);
}

static void write_frames_summary(struct json_writer *w, const struct analysis_summary *s)
{
	const struct frame_stats *fs = s->frames;

	jsonw_name(w, "frames");
	if (!s->frames_on) {
		jsonw_null(w);
		return;
	}
	jsonw_start_object(w);
	jsonw_uint_field(w, "count", fs->frames);
	jsonw_double_field(w, "fps", s->frames_fps);
	jsonw_double_field(w, "mean_duration_ns",
			   fs->frames ? (double)fs->duration_sum_ns / fs->frames : 0);
	jsonw_uint_field(w, "max_duration_ns", fs->duration_max_ns);
	if (fs->tracer_unknown) {
		jsonw_null_field(w, "mean_tracer_ns");
		jsonw_null_field(w, "max_tracer_ns");
	} else {
		jsonw_double_field(w, "mean_tracer_ns",
				   fs->frames ? (double)fs->tracer_sum_ns / fs->frames : 0);
		jsonw_uint_field(w, "max_tracer_ns", fs->tracer_max_ns);
	}
	if (fs->target_fps > 0)
		jsonw_double_field(w, "target_fps", fs->target_fps);
	else
		jsonw_null_field(w, "target_fps");
	jsonw_uint_field(w, "dropped", fs->dropped.frames);
	write_class(w, "dropped_frames", &fs->dropped, !fs->memory_unknown);
	write_class(w, "normal_frames", &fs->normal, !fs->memory_unknown);
	jsonw_end_object(w);
}

void json_write_analysis(struct json_writer *w, const struct process_report *r)
{
	const struct analysis_summary *s = r->analysis;

	if (!s)
		return;
	write_frames_summary(w, s);
	write_event_list(w, "spikes", s->spikes, s->spike_count);
	jsonw_uint_field(w, "spikes_total", s->spikes_total);
	write_event_list(w, "leaks", s->leaks, s->leak_count);
	jsonw_name(w, "outstanding");
	if (!s->leak_age_on) {
		jsonw_null(w);
	} else {
		jsonw_start_object(w);
		jsonw_uint_field(w, "min_age_ns", s->leak_age_ns);
		jsonw_name(w, "stacks");
		jsonw_start_array(w);
		for (size_t i = 0; i < s->aged_count; i++) {
			const struct aged_report *g = &s->aged[i];

			jsonw_start_object(w);
			jsonw_int_field(w, "stack_id", g->stack_id);
			jsonw_uint_field(w, "count", g->count);
			jsonw_uint_field(w, "bytes", g->bytes);
			jsonw_uint_field(w, "oldest_age_ns", g->oldest_age_ns);
			jsonw_string_array_field(w, "frames", g->frames, g->depth);
			jsonw_end_object(w);
		}
		jsonw_end_array(w);
		jsonw_end_object(w);
	}
	if (s->drift_on) {
		if (s->drift_baseline)
			jsonw_string_field(w, "drift_baseline", s->drift_baseline);
		else
			jsonw_null_field(w, "drift_baseline");
		write_event_list(w, "drift", s->drift, s->drift_count);
	} else {
		jsonw_null_field(w, "drift_baseline");
		jsonw_null_field(w, "drift");
	}
	write_event_list(w, "budgets", s->budgets, s->budget_count);
	write_event_list(w, "forecasts", s->forecasts, s->forecast_count);
	jsonw_uint_field(w, "events_suppressed", s->events_suppressed);
	jsonw_bool_field(w, "oom_killed", s->oom_killed);
}
