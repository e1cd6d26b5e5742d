// SPDX-License-Identifier: GPL-2.0
/* A scope's per-container totals: a "container" line per group after each poll's process
 * lines (docs/json.md). A sum some process lacks is null, never a partial figure. */
#include "output/json/json_sections.h"

#include "model/group_report.h"

static void sum_or_null(struct json_writer *w, const char *name, bool known, uint64_t value)
{
	if (known)
		jsonw_uint_field(w, name, value);
	else
		jsonw_null_field(w, name);
}

static void label_or_null(struct json_writer *w, const char *name, const char *value)
{
	if (value[0])
		jsonw_string_field(w, name, value);
	else
		jsonw_null_field(w, name);
}

static void write_group(struct json_writer *w, const struct group_report *g)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "type", "container");
	label_or_null(w, "container", g->labels.container);
	label_or_null(w, "pod", g->labels.pod);
	label_or_null(w, "cgroup", g->cgroup);
	jsonw_uint_field(w, "processes", g->processes);
	jsonw_uint_field(w, "rss_bytes", g->rss_bytes);
	sum_or_null(w, "pss_bytes", group_report__sum_known(g->pss_processes, g), g->pss_bytes);
	jsonw_uint_field(w, "mmaps", g->mmaps);
	jsonw_uint_field(w, "bytes_mapped", g->bytes_mapped);
	jsonw_uint_field(w, "bytes_unmapped", g->bytes_unmapped);
	jsonw_uint_field(w, "native_processes", g->native_processes);
	sum_or_null(w, "native_live_bytes", group_report__sum_known(g->native_processes, g),
		    g->native_live_bytes);
	jsonw_uint_field(w, "python_processes", g->python_processes);
	sum_or_null(w, "python_objects", g->python_processes, g->python_objects);
	sum_or_null(w, "python_object_bytes", g->python_processes, g->python_object_bytes);
	sum_or_null(w, "cgroup_memory_bytes", g->cgroup_memory_known, g->cgroup_memory_bytes);
	sum_or_null(w, "cgroup_memory_limit_bytes", g->cgroup_memory_limit_known,
		    g->cgroup_memory_limit_bytes);
	jsonw_end_object(w);
}

void json_write_groups(struct json_writer *w, const struct group_totals *t)
{
	for (size_t i = 0; i < t->count; i++)
		write_group(w, &t->groups[i]);
}
