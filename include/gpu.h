/* Structs shared by bpf/gpu.bpf.c and user/probes/gpu/gpu_tracer.c: plain data, no includes.
 * docs/gpu.md says what each layer counts. */
#ifndef MEMTRACE_GPU_H
#define MEMTRACE_GPU_H

#define GPU_MAX_DEVICES 64           /* device ordinals counted; others count as GPU_MAX_DEVICES - 1 */

/* Who made a call: the runtime (libcudart), the driver (libcuda) called by the application
 * itself, or a caching allocator (PyTorch's) handing out blocks of its segments. */
enum gpu_api {
	GPU_API_RUNTIME,
	GPU_API_DRIVER,
	GPU_API_CACHING,
};

enum gpu_memory {
	GPU_MEMORY_DEVICE,               /* cudaMalloc(Async), cuMemAlloc(Async), cuMemCreate */
	GPU_MEMORY_MANAGED,              /* cudaMallocManaged */
	GPU_MEMORY_HOST,                 /* cudaMallocHost: pinned host memory */
	GPU_MEMORY_TENSOR,               /* a caching allocator's block */
};

/* A probe's BPF cookie: the API in the low byte, the memory kind in the next one. */
#define GPU_COOKIE(api, memory) ((unsigned long long)(api) | ((unsigned long long)(memory) << 8))
#define GPU_COOKIE_API(c) ((unsigned int)((c) & 0xff))
#define GPU_COOKIE_MEMORY(c) ((unsigned int)(((c) >> 8) & 0xff))
#define GPU_COOKIE_HANDLE (1ull << 16)   /* a free's argument is a cuMemCreate handle */

/* Outstanding blocks are keyed by what their address names: a tensor's address is often its
 * segment's, and cuMemCreate returns a handle, not an address. */
enum gpu_space {
	GPU_SPACE_CUDA,                  /* runtime and driver allocations */
	GPU_SPACE_TENSOR,                /* caching-allocator blocks */
	GPU_SPACE_HANDLE,                /* cuMemCreate handles */
};

/* A driver context's device (cuDevicePrimaryCtxRetain, cuCtxCreate), per process. */
struct gpu_context_key {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long context;
};

struct gpu_key {
	unsigned int tgid;
	int device;
};

/* Per traced process and device; updated atomically (these calls are rare). */
struct gpu_stats {
	unsigned long long allocs;           /* device and managed memory, runtime + driver */
	unsigned long long frees;            /* of those, matched */
	unsigned long long failed_allocs;
	unsigned long long untracked_frees;  /* of blocks allocated before attach */
	unsigned long long bytes_allocated;
	unsigned long long bytes_freed;
	unsigned long long peak_bytes;       /* most of bytes_allocated - bytes_freed seen */
	unsigned long long driver_allocs;    /* of allocs: driver calls made outside the runtime */
	unsigned long long managed_bytes_allocated;
	unsigned long long managed_bytes_freed;
	unsigned long long host_allocs;      /* pinned host memory */
	unsigned long long host_frees;
	unsigned long long host_bytes_allocated;
	unsigned long long host_bytes_freed;
	unsigned long long tensor_allocs;    /* the caching allocator's blocks */
	unsigned long long tensor_frees;
	unsigned long long tensor_bytes_allocated;
	unsigned long long tensor_bytes_freed;
	unsigned long long tensor_peak_bytes;
	unsigned long long maps;             /* cuMemMap calls */
	unsigned long long bytes_mapped;
};

struct gpu_outstanding_key {
	unsigned int tgid;
	unsigned int space;                  /* enum gpu_space */
	unsigned long long addr;
};

struct gpu_block {
	unsigned long long size;
	int device;
	unsigned int memory;                 /* enum gpu_memory */
	int stack_id;                        /* in the alloc tracer's `stacks`; < 0: none */
	unsigned int pad;
};

/* Per process, device, stack and layer (segments from CUDA, or tensors). */
struct gpu_stack_key {
	unsigned int tgid;
	int stack_id;
	int device;
	unsigned int tensors;                /* 1: caching-allocator blocks */
};

struct gpu_stack_stats {
	unsigned long long allocs;
	unsigned long long frees;
	unsigned long long bytes_allocated;
	unsigned long long bytes_freed;
};

#endif
