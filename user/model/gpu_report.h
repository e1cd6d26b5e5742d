/* GPU memory of one process, per device (bpf/gpu.bpf.c; docs/gpu.md says what each layer
 * counts): plain data for the analysis and the outputs. Counts are since attach. */
#ifndef MEMTRACE_GPU_REPORT_H
#define MEMTRACE_GPU_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/python_stack.h"

struct gpu_device_report {
	int device;
	/* Runtime and driver calls: device and managed memory held from CUDA (a caching
	 * allocator's segments are such calls). */
	uint64_t allocs, frees, failed_allocs, untracked_frees, driver_allocs;
	uint64_t reserved_bytes, peak_reserved_bytes, managed_bytes;
	uint64_t host_allocs, host_frees, host_bytes;   /* pinned host memory */
	uint64_t maps, bytes_mapped;                     /* cuMemMap */
	/* The caching allocator's blocks (tensors): known when one is probed in the process. */
	uint64_t tensor_allocs, tensor_frees, allocated_bytes, peak_allocated_bytes;
};

/* One allocating stack on one device: segments (CUDA calls) or tensors. Only in the
 * summary; frames symbolized, innermost first. */
struct gpu_stack_report {
	int device;
	bool tensors;
	int stack_id;
	uint64_t allocs, frees, live_bytes, bytes_allocated;
	size_t depth;
	char **frames;
	struct python_stack python;  /* depth 0: none */
};

struct gpu_report {
	bool runtime, driver, caching;   /* which layers are probed */
	size_t device_count;
	struct gpu_device_report *devices;   /* by device ordinal */
	struct gpu_stack_report *stacks;     /* the summary's: most live bytes first */
	size_t stack_count;
};

/* What the application uses: the caching allocator's blocks where one is probed, else what
 * it holds from CUDA. */
static inline uint64_t gpu_live_bytes(const struct gpu_report *g, const struct gpu_device_report *d)
{
	return g->caching ? d->allocated_bytes : d->reserved_bytes;
}

static inline uint64_t gpu_peak_live_bytes(const struct gpu_report *g,
					   const struct gpu_device_report *d)
{
	return g->caching ? d->peak_allocated_bytes : d->peak_reserved_bytes;
}

/* Live bytes of one device, or of every device with device < 0 (budgets: gpu, gpu:N). */
static inline uint64_t gpu_report__live_bytes(const struct gpu_report *g, int device)
{
	uint64_t sum = 0;

	for (size_t i = 0; g && i < g->device_count; i++)
		if (device < 0 || g->devices[i].device == device)
			sum += gpu_live_bytes(g, &g->devices[i]);
	return sum;
}

/* Reserved but not allocated: the caching allocator's free cache (0 without one). */
static inline uint64_t gpu_fragmentation_bytes(const struct gpu_report *g,
					       const struct gpu_device_report *d)
{
	if (!g->caching || d->allocated_bytes > d->reserved_bytes)
		return 0;
	return d->reserved_bytes - d->allocated_bytes;
}

#endif
