// SPDX-License-Identifier: GPL-2.0
/* NDJSON output; every key is documented in docs/json.md. */
#include <stdlib.h>
#include <stdint.h>

#include "output/json/json_sections.h"
#include "output/json_writer.h"
#include "output/output.h"
#include "target/cgroup_labels.h"
#include "target/sysctx.h"
#include "output/type_rank.h"

struct json_output {
	struct output base;
	struct json_writer *w;
	FILE *f;
	bool owns_file;
	uint32_t interval_types;     /* --json-types; JSON_TYPES_ALL: no history kept */
	struct type_history *history;
};

/* counts: the interval's or the whole trace's; live figures are always the current state. */
static void write_native(struct json_writer *w, const struct native_totals *counts,
			 const struct native_totals *cumulative)
{
	jsonw_name(w, "native");
	jsonw_start_object(w);
#define COUNTER_FIELD(name, doc) jsonw_uint_field(w, #name, counts->name);
	NATIVE_COUNTERS(COUNTER_FIELD)
#undef COUNTER_FIELD
	jsonw_uint_field(w, "live_bytes", native_live_bytes(cumulative));
	jsonw_uint_field(w, "live_allocs", native_live_allocs(cumulative));
	jsonw_bool_field(w, "approximate", native_live_approximate(cumulative));
	jsonw_uint_field(w, "live_bytes_max", native_live_bytes_max(cumulative));
	jsonw_uint_field(w, "live_allocs_max", native_live_allocs_max(cumulative));
	jsonw_name(w, "size_histogram");
	jsonw_start_array(w);
	for (int b = 0; b < ALLOC_SIZE_BUCKETS; b++) {
		if (!counts->size_hist[b])
			continue;
		jsonw_start_object(w);
		jsonw_uint_field(w, "min", b ? 1ull << b : 0);
		jsonw_uint_field(w, "max", (1ull << (b + 1)) - 1);
		jsonw_uint_field(w, "count", counts->size_hist[b]);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_end_object(w);
}

static void write_mmap(struct json_writer *w, const struct mmap_totals *m)
{
	jsonw_name(w, "mmap");
	jsonw_start_object(w);
#define COUNTER_FIELD(sign, name) jsonw_int_field(w, #name, (int64_t)m->name);
	MMAP_COUNTERS(COUNTER_FIELD)
#undef COUNTER_FIELD
	jsonw_end_object(w);
}

static void string_or_null(struct json_writer *w, const char *name, const char *value)
{
	if (value && value[0])
		jsonw_string_field(w, name, value);
	else
		jsonw_null_field(w, name);
}

/* The process's cgroup v2 path and what it names (null where unknown, or named by none). */
static void write_cgroup_labels(struct json_writer *w, const struct process_report *r)
{
	struct cgroup_labels labels = { 0 };
	const char *cgroup = r->system ? r->system->cgroup : NULL;

	if (cgroup)
		cgroup_labels__parse(cgroup, &labels);
	string_or_null(w, "cgroup", cgroup);
	string_or_null(w, "container", labels.container);
	string_or_null(w, "pod", labels.pod);
}

static void write_header(struct json_writer *w, const char *type, const struct process_report *r)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "type", type);
	jsonw_int_field(w, "pid", r->pid);
	jsonw_string_field(w, "comm", r->comm);
	write_cgroup_labels(w, r);
	jsonw_uint_field(w, "elapsed_ns", r->elapsed_ns);
	jsonw_uint_field(w, "attach_ns", r->attach_ns);
	jsonw_bool_field(w, "exited", r->exited);
	jsonw_uint_field(w, "rss_bytes", r->rss_bytes);
	jsonw_string_field(w, "native_mode", !r->native_traced ? "off" :
			   r->native_windowed ? "windowed" : "exact");
	jsonw_double_field(w, "exact_share", !r->native_traced ? 0 :
			   r->native_windowed ? r->exact_share : 1);
	jsonw_uint_field(w, "exact_windows", r->native_windowed ? r->exact_windows : 0);
}

static int by_index(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	return i < j ? -1 : i > j;
}

/* --json-types N: the N types whose live count changed most since the process's previous
 * line, in census order. false: list every type (the process's first line, the baseline of
 * later changes; a census of at most N types; no memory for the ranking). */
static bool pick_types(struct json_output *j, const struct process_report *r,
		       struct json_type_listing *listing, size_t **index)
{
	const struct python_report *py = r->python;
	int64_t *change;
	size_t *order;
	int ranked;

	if (!py || j->interval_types == JSON_TYPES_ALL)
		return false;
	order = malloc((py->type_count + 1) * sizeof(*order));
	change = malloc((py->type_count + 1) * sizeof(*change));
	ranked = order && change ? type_history__rank(j->history, r->pid, py, order, change) : -1;
	free(change);
	if (ranked <= 0 || py->type_count <= j->interval_types) {
		free(order);
		return false;
	}
	qsort(order, j->interval_types, sizeof(*order), by_index);
	*listing = (struct json_type_listing){ order, j->interval_types };
	*index = order;
	return true;
}

static void json_interval(struct output *out, const struct process_report *r)
{
	struct json_output *j = (struct json_output *)out;
	struct json_writer *w = j->w;
	struct json_type_listing listing;
	size_t *index = NULL;
	bool lean = pick_types(j, r, &listing, &index);

	json_write_gc_events(w, r);
	write_header(w, "interval", r);
	jsonw_uint_field(w, "interval_ns", r->interval_ns);
	if (r->native_traced)
		write_native(w, &r->native_delta, &r->native);
	else
		jsonw_null_field(w, "native");
	write_mmap(w, &r->mmap_delta);
	json_write_python(w, r, lean ? &listing : NULL);
	json_write_gpu(w, r, false);
	json_write_system(w, r);
	json_write_fragmentation(w, r);
	jsonw_end_object(w);
	free(index);
}

/* --json-all-stacks: the frames in parts, for the formats that keep them apart (pprof). */
static void write_frame_parts(struct json_writer *w, const struct stack_report *s)
{
	jsonw_name(w, "native_frames");
	jsonw_start_array(w);
	for (size_t f = 0; f < s->depth; f++) {
		const struct stack_frame *p = &s->parts[f];

		jsonw_start_object(w);
		jsonw_uint_field(w, "ip", p->ip);
		if (p->function)
			jsonw_string_field(w, "function", p->function);
		else
			jsonw_null_field(w, "function");
		if (p->module)
			jsonw_string_field(w, "module", p->module);
		else
			jsonw_null_field(w, "module");
		jsonw_uint_field(w, "module_start", p->module_start);
		jsonw_uint_field(w, "module_limit", p->module_limit);
		jsonw_uint_field(w, "module_offset", p->module_offset);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
}

static void write_stacks(struct json_writer *w, const struct process_report *r, bool parts)
{
	jsonw_name(w, "stacks");
	jsonw_start_array(w);
	for (size_t i = 0; i < r->stack_count; i++) {
		const struct stack_report *s = &r->stacks[i];

		jsonw_start_object(w);
		jsonw_int_field(w, "stack_id", s->stack_id);
		jsonw_uint_field(w, "live_bytes", s->live_bytes);
		jsonw_uint_field(w, "live_allocs", s->live_allocs);
		jsonw_uint_field(w, "allocs", s->allocs);
		jsonw_uint_field(w, "bytes_allocated", s->bytes_allocated);
		jsonw_uint_field(w, "peak_live", s->peak_live);
		jsonw_uint_field(w, "size_min", s->size_min);
		jsonw_uint_field(w, "size_max", s->size_max);
		json_write_lifetimes(w, &s->lifetimes, s->allocs, s->live_allocs);
		jsonw_string_array_field(w, "frames", s->frames, s->depth);
		if (parts && s->parts)
			write_frame_parts(w, s);
		if (s->python.depth)
			json_write_python_stack(w, &s->python);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
}

void json_write_stacks(struct json_writer *w, const struct process_report *r)
{
	write_stacks(w, r, false);
}

/* The most live memory seen, and for a process that exited, what was live at its last
 * report while it ran (its exit may have freed everything). */
static void write_native_peak(struct json_writer *w, const struct process_report *r)
{
	jsonw_name(w, "native_peak");
	jsonw_start_object(w);
	jsonw_uint_field(w, "live_bytes", r->peak.live_bytes);
	jsonw_uint_field(w, "live_allocs", r->peak.live_allocs);
	jsonw_uint_field(w, "elapsed_ns", r->peak.elapsed_ns);
	jsonw_end_object(w);
	if (!r->last_running) {
		jsonw_null_field(w, "native_last_running");
		return;
	}
	jsonw_name(w, "native_last_running");
	jsonw_start_object(w);
	jsonw_uint_field(w, "live_bytes", native_live_bytes(r->last_running));
	jsonw_uint_field(w, "live_allocs", native_live_allocs(r->last_running));
	jsonw_uint_field(w, "allocs", r->last_running->allocs);
	jsonw_uint_field(w, "frees", r->last_running->frees);
	jsonw_end_object(w);
}

static void json_summary(struct output *out, const struct process_report *r)
{
	struct json_output *j = (struct json_output *)out;
	struct json_writer *w = j->w;

	write_header(w, "summary", r);
	jsonw_uint_field(w, "attach_realtime_ns", r->attach_realtime_ns);
	if (r->native_traced) {
		write_native(w, &r->native, &r->native);
		write_native_peak(w, r);
	} else {
		jsonw_null_field(w, "native");
	}
	write_mmap(w, &r->mmap);
	write_stacks(w, r, out->all_stacks);
	jsonw_bool_field(w, "stacks_partial", r->native_traced && native_stacks_partial(&r->native));
	if (r->python_stack_sample_bytes)
		jsonw_uint_field(w, "python_stack_sample_bytes", r->python_stack_sample_bytes);
	else
		jsonw_null_field(w, "python_stack_sample_bytes");
	json_write_heap_growth(w, r);
	json_write_lifetime_summary(w, r);
	json_write_python(w, r, NULL);
	json_write_gpu(w, r, true);
	json_write_system(w, r);
	json_write_fragmentation(w, r);
	json_write_analysis(w, r);
	if (j->history)
		type_history__forget(j->history, r->pid);
	jsonw_end_object(w);
}

static void json_frame(struct output *out, const struct frame_report *f)
{
	json_write_frame(((struct json_output *)out)->w, f);
}

static void json_event(struct output *out, const struct analysis_event *ev)
{
	json_write_event(((struct json_output *)out)->w, ev);
}

static void json_groups(struct output *out, const struct group_totals *t)
{
	json_write_groups(((struct json_output *)out)->w, t);
}

static void json_destroy(struct output *out)
{
	struct json_output *j = (struct json_output *)out;

	jsonw_destroy(&j->w);
	type_history__free(j->history);
	if (j->owns_file)
		fclose(j->f);
	free(j);
}

struct output *json_output__new(FILE *f, bool owns_file, uint32_t interval_types,
				bool all_stacks)
{
	struct json_output *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->w = jsonw_new(f);
	if (interval_types != JSON_TYPES_ALL)
		j->history = type_history__new();
	if (!j->w || (interval_types != JSON_TYPES_ALL && !j->history)) {
		jsonw_destroy(&j->w);
		free(j);
		return NULL;
	}
	j->interval_types = interval_types;
	j->base = (struct output){ .interval = json_interval, .summary = json_summary,
				   .destroy = json_destroy, .frame = json_frame,
				   .event = json_event, .groups = json_groups,
				   .all_stacks = all_stacks };
	j->f = f;
	j->owns_file = owns_file;
	return &j->base;
}
