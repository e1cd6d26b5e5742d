// SPDX-License-Identifier: GPL-2.0
/* The oom event's JSON (docs/json.md): what the kernel said of its victim, then the last
 * snapshot in the summary's own sections. */
#include "output/json/json_sections.h"

/* The Python types an oom event lists: the most live ones. */
#define OOM_TYPES 10

static void write_victim(struct json_writer *w, const struct oom_victim *v)
{
	if (!v->sizes_known) {
		jsonw_null_field(w, "victim");
		return;
	}
	jsonw_name(w, "victim");
	jsonw_start_object(w);
	jsonw_uint_field(w, "total_vm_bytes", v->total_vm_bytes);
	jsonw_uint_field(w, "anon_rss_bytes", v->anon_rss_bytes);
	jsonw_uint_field(w, "file_rss_bytes", v->file_rss_bytes);
	jsonw_uint_field(w, "shmem_rss_bytes", v->shmem_rss_bytes);
	jsonw_int_field(w, "oom_score_adj", v->oom_score_adj);
	jsonw_end_object(w);
}

void json_write_oom(struct json_writer *w, const struct analysis_event *ev)
{
	const struct process_report *r = ev->snapshot;
	size_t index[OOM_TYPES];
	struct json_type_listing listing = { .index = index };

	jsonw_string_field(w, "comm", r->comm);
	write_victim(w, &ev->victim);
	if (ev->name[0])
		jsonw_string_field(w, "top", ev->name);
	else
		jsonw_null_field(w, "top");
	jsonw_string_field(w, "native_mode", !r->native_traced ? "off" :
			   r->native_windowed ? "windowed" : "exact");
	if (r->native_traced) {
		jsonw_name(w, "native");
		jsonw_start_object(w);
		jsonw_uint_field(w, "live_bytes", native_live_bytes(&r->native));
		jsonw_uint_field(w, "live_allocs", native_live_allocs(&r->native));
		jsonw_end_object(w);
	} else {
		jsonw_null_field(w, "native");
	}
	json_write_stacks(w, r);
	json_write_heap_growth(w, r);
	if (r->python) {
		while (listing.count < OOM_TYPES && listing.count < r->python->type_count) {
			index[listing.count] = listing.count;   /* most live first */
			listing.count++;
		}
		json_write_python(w, r, &listing);
	} else {
		jsonw_null_field(w, "python");
	}
}
