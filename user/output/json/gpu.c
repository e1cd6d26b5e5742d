// SPDX-License-Identifier: GPL-2.0
/* The "gpu" section (docs/json.md, docs/gpu.md): written only for a process whose CUDA
 * libraries are probed. */
#include "output/json/json_sections.h"

static void uint_or_null(struct json_writer *w, const char *name, bool known, uint64_t value)
{
	if (known)
		jsonw_uint_field(w, name, value);
	else
		jsonw_null_field(w, name);
}

static void write_device(struct json_writer *w, const struct gpu_report *g,
			 const struct gpu_device_report *d)
{
	jsonw_start_object(w);
	jsonw_int_field(w, "device", d->device);
	jsonw_uint_field(w, "allocs", d->allocs);
	jsonw_uint_field(w, "frees", d->frees);
	jsonw_uint_field(w, "failed_allocs", d->failed_allocs);
	jsonw_uint_field(w, "untracked_frees", d->untracked_frees);
	jsonw_uint_field(w, "driver_allocs", d->driver_allocs);
	jsonw_uint_field(w, "live_bytes", gpu_live_bytes(g, d));
	jsonw_uint_field(w, "peak_live_bytes", gpu_peak_live_bytes(g, d));
	jsonw_uint_field(w, "reserved_bytes", d->reserved_bytes);
	jsonw_uint_field(w, "peak_reserved_bytes", d->peak_reserved_bytes);
	uint_or_null(w, "allocated_bytes", g->caching, d->allocated_bytes);
	uint_or_null(w, "peak_allocated_bytes", g->caching, d->peak_allocated_bytes);
	uint_or_null(w, "fragmentation_bytes", g->caching, gpu_fragmentation_bytes(g, d));
	uint_or_null(w, "tensor_allocs", g->caching, d->tensor_allocs);
	uint_or_null(w, "tensor_frees", g->caching, d->tensor_frees);
	jsonw_uint_field(w, "managed_bytes", d->managed_bytes);
	jsonw_uint_field(w, "host_pinned_allocs", d->host_allocs);
	jsonw_uint_field(w, "host_pinned_frees", d->host_frees);
	jsonw_uint_field(w, "host_pinned_bytes", d->host_bytes);
	jsonw_uint_field(w, "maps", d->maps);
	jsonw_uint_field(w, "bytes_mapped", d->bytes_mapped);
	jsonw_end_object(w);
}

static void write_stacks(struct json_writer *w, const struct gpu_report *g)
{
	jsonw_name(w, "stacks");
	jsonw_start_array(w);
	for (size_t i = 0; i < g->stack_count; i++) {
		const struct gpu_stack_report *s = &g->stacks[i];

		jsonw_start_object(w);
		jsonw_int_field(w, "device", s->device);
		jsonw_string_field(w, "layer", s->tensors ? "tensors" : "cuda");
		jsonw_int_field(w, "stack_id", s->stack_id);
		jsonw_uint_field(w, "allocs", s->allocs);
		jsonw_uint_field(w, "frees", s->frees);
		jsonw_uint_field(w, "live_bytes", s->live_bytes);
		jsonw_uint_field(w, "bytes_allocated", s->bytes_allocated);
		jsonw_string_array_field(w, "frames", s->frames, s->depth);
		if (s->python.depth)
			json_write_python_stack(w, &s->python);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
}

void json_write_gpu(struct json_writer *w, const struct process_report *r, bool stacks)
{
	const struct gpu_report *g = r->gpu;

	if (!g)
		return;
	jsonw_name(w, "gpu");
	jsonw_start_object(w);
	jsonw_bool_field(w, "runtime", g->runtime);
	jsonw_bool_field(w, "driver", g->driver);
	jsonw_bool_field(w, "caching_allocator", g->caching);
	jsonw_name(w, "devices");
	jsonw_start_array(w);
	for (size_t i = 0; i < g->device_count; i++)
		write_device(w, g, &g->devices[i]);
	jsonw_end_array(w);
	if (stacks)
		write_stacks(w, g);
	jsonw_end_object(w);
}
