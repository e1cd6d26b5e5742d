// SPDX-License-Identifier: GPL-2.0
/* GPU memory in the console view: a line per device (docs/gpu.md). */
#include <inttypes.h>

#include "output/console/console_sections.h"

static void write_device(FILE *f, const char *indent, const struct gpu_report *g,
			 const struct gpu_device_report *d)
{
	char live[32], peak[32], reserved[32], frag[32];

	fprintf(f, "%sgpu %d: %" PRIu64 " allocs, %" PRIu64 " frees, live %s (peak %s), "
		"reserved %s", indent, d->device, d->allocs, d->frees,
		console_bytes((double)gpu_live_bytes(g, d), live, sizeof(live)),
		console_bytes((double)gpu_peak_live_bytes(g, d), peak, sizeof(peak)),
		console_bytes((double)d->reserved_bytes, reserved, sizeof(reserved)));
	if (g->caching)
		fprintf(f, ", %" PRIu64 " tensor allocs, fragmentation %s", d->tensor_allocs,
			console_bytes((double)gpu_fragmentation_bytes(g, d), frag, sizeof(frag)));
	if (d->failed_allocs)
		fprintf(f, ", %" PRIu64 " failed", d->failed_allocs);
	fputc('\n', f);
}

void console_write_gpu_interval(FILE *f, const struct process_report *r)
{
	for (size_t i = 0; r->gpu && i < r->gpu->device_count; i++)
		write_device(f, "         ", r->gpu, &r->gpu->devices[i]);
}

void console_write_gpu_summary(FILE *f, const struct process_report *r)
{
	const struct gpu_report *g = r->gpu;
	char live[32], total[32];

	if (!g)
		return;
	fprintf(f, "  GPU memory (%s%s%s):\n", g->runtime ? "runtime " : "",
		g->driver ? "driver " : "", g->caching ? "caching allocator" : "");
	for (size_t i = 0; i < g->device_count; i++)
		write_device(f, "    ", g, &g->devices[i]);
	if (g->stack_count)
		fprintf(f, "  top GPU stacks by live bytes:\n");
	for (size_t i = 0; i < g->stack_count; i++) {
		const struct gpu_stack_report *s = &g->stacks[i];

		fprintf(f, "  #%zu gpu %d %s: %s live (of %s in %" PRIu64 " allocations)\n", i + 1,
			s->device, s->tensors ? "tensors" : "cuda",
			console_bytes((double)s->live_bytes, live, sizeof(live)),
			console_bytes((double)s->bytes_allocated, total, sizeof(total)), s->allocs);
		for (size_t fr = 0; fr < s->depth; fr++)
			fprintf(f, "      %s\n", s->frames[fr]);
		console_write_python_stack(f, &s->python, "      ");
	}
}
