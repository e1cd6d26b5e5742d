// SPDX-License-Identifier: GPL-2.0
/* GPU memory from outside: the CUDA runtime's and driver's allocation calls (uprobes, a BPF
 * cookie telling each program which function it is on), and a caching allocator's blocks
 * (PyTorch's USDT pytorch:malloc/free, or its c10 functions). Everything is counted in maps,
 * per process and device; these calls are rare, so counts are plain atomic adds.
 *
 * The runtime calls the driver (cudaMalloc -> cuMemAlloc_v2): a call (driver or runtime)
 * made while the same thread is inside a probed runtime call is the runtime's own and is not
 * counted again; the application's own driver calls count, as driver_allocs too. docs/gpu.md. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "gpu.h"
#include "maps.bpf.h"
#include "stack_walk.bpf.h"
#include "python_stack.bpf.h"

const volatile bool record_stacks = true;

#if defined(__TARGET_ARCH_x86)
#define RETURN_SP_DELTA 8            /* x86 pops the return address */
#else
#define RETURN_SP_DELTA 0
#endif

enum gpu_call_op { GPU_CALL_NONE, GPU_CALL_ALLOC, GPU_CALL_FREE };

/* A call between entry and return, per API layer: its stack pointer at entry tells calls
 * made from inside it (deeper) from a stale one whose return we never saw. */
struct gpu_call {
	__u64 sp;
	__u64 out;                   /* where the call writes the address or handle */
	__u64 size;
	__s32 device;
	__u32 op;                    /* enum gpu_call_op */
	__u32 memory;                /* enum gpu_memory */
	__u32 handle;                /* out receives a cuMemCreate handle, not an address */
};

#define CONTEXT_SLOT 3               /* calls[]: a context being made */

struct gpu_thread {
	__s32 device;                /* cudaSetDevice's or the current context's; 0 at first */
	__u32 pad;
	struct gpu_call calls[4];    /* by enum gpu_api, then CONTEXT_SLOT */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct gpu_thread);
} gpu_threads SEC(".maps");

/* Not preallocated: most traces have no GPU, and an entry costs only while it is used. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);           /* resized by the loader */
	__type(key, struct gpu_key);
	__type(value, struct gpu_stats);
} gpu_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct gpu_outstanding_key);
	__type(value, struct gpu_block);
} gpu_outstanding SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct gpu_stack_key);
	__type(value, struct gpu_stack_stats);
} gpu_stack_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct gpu_context_key);
	__type(value, __s32);
} gpu_contexts SEC(".maps");

/* The alloc tracer's stacks, shared (bpf_map__reuse_fd): one symbolizer names both. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct stack_trace);
} stacks SEC(".maps");

#define STACK_ID_PROBES 4            /* as alloc.bpf.c: the same ids for the same stacks */

static __always_inline struct gpu_thread *thread_state(void)
{
	return bpf_task_storage_get(&gpu_threads, bpf_get_current_task_btf(), 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
}

static __always_inline int clamp_device(__s64 device)
{
	if (device < 0)
		return 0;
	return device < GPU_MAX_DEVICES ? (int)device : GPU_MAX_DEVICES - 1;
}

static __always_inline struct gpu_stats *stats_of(__u32 tgid, int device)
{
	static const struct gpu_stats zero;
	struct gpu_key key = { .tgid = tgid, .device = device };

	return lookup_or_init(&gpu_stats, &key, &zero);
}

/* Whether the thread is inside a probed runtime call (the runtime calling the driver). */
static __always_inline bool inside_runtime(struct gpu_thread *th, __u64 sp)
{
	struct gpu_call *outer = &th->calls[GPU_API_RUNTIME];

	return outer->sp && sp < outer->sp;
}

/* The id of the calling stack in `stacks` (with its Python stack joined), or -1. */
static __always_inline int stack_id_of(struct pt_regs *ctx, __u32 tgid)
{
	struct stack_trace *trace;
	struct stack_trace *known;
	__u64 hash;

	if (!record_stacks)
		return -1;
	trace = walk_user_stack(ctx);
	if (!trace)
		return -1;
	trace->py_stack_id = walk_python_stack(tgid);
	if (trace->py_stack_id >= 0) {
		hash = trace->hash ^ ((__u64)trace->py_stack_id * 0x9e3779b97f4a7c15ULL);
		trace->hash = hash ^ (hash >> 29);
	}
	for (__u32 probe = 0; probe < STACK_ID_PROBES; probe++) {
		__u32 id = (trace->hash + probe) & 0x7fffffff;

		if (bpf_map_update_elem(&stacks, &id, trace, BPF_NOEXIST) == 0)
			return id;
		known = bpf_map_lookup_elem(&stacks, &id);
		if (!known)
			return -1;
		if (known->hash == trace->hash)
			return id;
	}
	return -1;
}

static __always_inline void count_stack(__u32 tgid, const struct gpu_block *b, bool freed)
{
	static const struct gpu_stack_stats zero;
	struct gpu_stack_key key = { .tgid = tgid, .stack_id = b->stack_id, .device = b->device,
				     .tensors = b->memory == GPU_MEMORY_TENSOR };
	struct gpu_stack_stats *s;

	if (b->stack_id < 0)
		return;
	s = lookup_or_init(&gpu_stack_stats, &key, &zero);
	if (!s)
		return;
	if (freed) {
		__sync_fetch_and_add(&s->frees, 1);
		__sync_fetch_and_add(&s->bytes_freed, b->size);
	} else {
		__sync_fetch_and_add(&s->allocs, 1);
		__sync_fetch_and_add(&s->bytes_allocated, b->size);
	}
}

static __always_inline void raise_peak(__u64 *peak, __u64 live)
{
	if (live > *peak)
		*peak = live;            /* racing raises may keep the lower one: a sampled peak */
}

static __always_inline void count_alloc(struct gpu_stats *st, const struct gpu_block *b,
					__u32 api)
{
	switch (b->memory) {
	case GPU_MEMORY_HOST:
		__sync_fetch_and_add(&st->host_allocs, 1);
		__sync_fetch_and_add(&st->host_bytes_allocated, b->size);
		return;
	case GPU_MEMORY_TENSOR:
		__sync_fetch_and_add(&st->tensor_allocs, 1);
		__sync_fetch_and_add(&st->tensor_bytes_allocated, b->size);
		raise_peak(&st->tensor_peak_bytes, st->tensor_bytes_allocated - st->tensor_bytes_freed);
		return;
	case GPU_MEMORY_MANAGED:
		__sync_fetch_and_add(&st->managed_bytes_allocated, b->size);
		break;
	}
	__sync_fetch_and_add(&st->allocs, 1);
	__sync_fetch_and_add(&st->bytes_allocated, b->size);
	if (api == GPU_API_DRIVER)
		__sync_fetch_and_add(&st->driver_allocs, 1);
	raise_peak(&st->peak_bytes, st->bytes_allocated - st->bytes_freed);
}

static __always_inline void count_free(struct gpu_stats *st, const struct gpu_block *b)
{
	switch (b->memory) {
	case GPU_MEMORY_HOST:
		__sync_fetch_and_add(&st->host_frees, 1);
		__sync_fetch_and_add(&st->host_bytes_freed, b->size);
		return;
	case GPU_MEMORY_TENSOR:
		__sync_fetch_and_add(&st->tensor_frees, 1);
		__sync_fetch_and_add(&st->tensor_bytes_freed, b->size);
		return;
	case GPU_MEMORY_MANAGED:
		__sync_fetch_and_add(&st->managed_bytes_freed, b->size);
		break;
	}
	__sync_fetch_and_add(&st->frees, 1);
	__sync_fetch_and_add(&st->bytes_freed, b->size);
}

static __always_inline __u32 space_of(__u32 memory, bool handle)
{
	if (handle)
		return GPU_SPACE_HANDLE;
	return memory == GPU_MEMORY_TENSOR ? GPU_SPACE_TENSOR : GPU_SPACE_CUDA;
}

static __always_inline void record_alloc(struct pt_regs *ctx, __u32 tgid, __u32 api, __u32 space,
					 __u64 addr, __u64 size, int device, __u32 memory)
{
	struct gpu_outstanding_key key = { .tgid = tgid, .space = space, .addr = addr };
	struct gpu_block b = { .size = size, .device = device, .memory = memory };
	struct gpu_stats *st = stats_of(tgid, device);

	if (!st)
		return;
	b.stack_id = stack_id_of(ctx, tgid);
	count_alloc(st, &b, api);
	bpf_map_update_elem(&gpu_outstanding, &key, &b, BPF_ANY);
	count_stack(tgid, &b, false);
}

static __always_inline void record_free(__u32 tgid, __u32 space, __u64 addr, int device)
{
	struct gpu_outstanding_key key = { .tgid = tgid, .space = space, .addr = addr };
	struct gpu_block *found = bpf_map_lookup_elem(&gpu_outstanding, &key);
	struct gpu_stats *st;
	struct gpu_block b;

	if (!addr)
		return;                  /* cudaFree(NULL): a context's warm-up, no block */
	if (!found) {
		st = stats_of(tgid, device);
		if (st)
			__sync_fetch_and_add(&st->untracked_frees, 1);
		return;
	}
	b = *found;
	if (bpf_map_delete_elem(&gpu_outstanding, &key))
		return;                  /* another thread freed it first */
	st = stats_of(tgid, b.device);
	if (st)
		count_free(st, &b);
	count_stack(tgid, &b, true);
}

/* cuMemCreate's device: its CUmemAllocationProp's location.id (type, requestedHandleTypes,
 * then CUmemLocation {type, id}). */
#define MEM_PROP_LOCATION_ID_OFFSET 12

/* Entry of an allocating function: cookie = GPU_COOKIE(api, memory). Arguments: the address
 * out-pointer, then the size. */
SEC("uprobe")
int BPF_KPROBE(gpu_alloc_enter, __u64 out, __u64 size)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), sp = PT_REGS_SP(ctx);
	__u32 api = GPU_COOKIE_API(cookie), memory = GPU_COOKIE_MEMORY(cookie);
	struct gpu_thread *th = thread_state();
	struct gpu_call *call;

	if (!th || api > GPU_API_DRIVER || inside_runtime(th, sp))
		return 0;
	call = &th->calls[api];
	call->sp = sp;
	call->out = out;
	call->size = size;
	call->device = th->device;
	call->op = GPU_CALL_ALLOC;
	call->memory = memory;
	call->handle = 0;
	return 0;
}

/* Entry of cuMemCreate: as gpu_alloc_enter, but its device is in its properties. */
SEC("uprobe")
int BPF_KPROBE(gpu_create_enter, __u64 out, __u64 size, __u64 prop)
{
	__u64 sp = PT_REGS_SP(ctx);
	struct gpu_thread *th = thread_state();
	struct gpu_call *call;
	__s32 device = 0;

	if (!th || inside_runtime(th, sp))
		return 0;
	if (!prop || bpf_probe_read_user(&device, sizeof(device),
					 (void *)(prop + MEM_PROP_LOCATION_ID_OFFSET)))
		device = th->device;
	call = &th->calls[GPU_API_DRIVER];
	call->sp = sp;
	call->out = out;
	call->size = size;
	call->device = clamp_device(device);
	call->op = GPU_CALL_ALLOC;
	call->memory = GPU_MEMORY_DEVICE;
	call->handle = 1;
	return 0;
}

/* Return of a runtime or driver call (cookie: its api): an allocation's address is read from
 * its out-pointer once it returned cudaSuccess / CUDA_SUCCESS (0). */
SEC("uretprobe")
int BPF_KRETPROBE(gpu_call_exit, int result)
{
	__u32 api = GPU_COOKIE_API(bpf_get_attach_cookie(ctx));
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct gpu_thread *th = thread_state();
	struct gpu_call *slot, call;
	struct gpu_stats *st;
	__u64 addr = 0;

	if (!th || api > GPU_API_DRIVER)
		return 0;
	slot = &th->calls[api];
	if (!slot->sp || PT_REGS_SP(ctx) != slot->sp + RETURN_SP_DELTA)
		return 0;
	call = *slot;
	slot->sp = 0;
	if (call.op != GPU_CALL_ALLOC)
		return 0;
	if (result != 0) {
		st = stats_of(tgid, call.device);
		if (st && call.memory != GPU_MEMORY_HOST)
			__sync_fetch_and_add(&st->failed_allocs, 1);
		return 0;
	}
	/* cudaMalloc(&p, 0) succeeds with p == NULL: no block. */
	if (bpf_probe_read_user(&addr, sizeof(addr), (void *)call.out) || !addr)
		return 0;
	record_alloc(ctx, tgid, api, space_of(call.memory, call.handle), addr, call.size, call.device,
		     call.memory);
	return 0;
}

/* Entry of a freeing function (cookie: api and memory; cuMemRelease's also has
 * GPU_COOKIE_HANDLE: its argument is a handle). A runtime
 * free is marked pending too, so that the driver free it makes is not counted again. */
SEC("uprobe")
int BPF_KPROBE(gpu_free_enter, __u64 addr)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), sp = PT_REGS_SP(ctx);
	__u32 api = GPU_COOKIE_API(cookie), memory = GPU_COOKIE_MEMORY(cookie);
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct gpu_thread *th = thread_state();
	bool handle = cookie & GPU_COOKIE_HANDLE;

	if (!th || api > GPU_API_DRIVER || inside_runtime(th, sp))
		return 0;
	if (api == GPU_API_RUNTIME) {
		th->calls[api].sp = sp;
		th->calls[api].op = GPU_CALL_FREE;
	}
	record_free(tgid, space_of(memory, handle), addr, th->device);
	return 0;
}

/* cudaSetDevice(device): the device of the thread's later calls. */
SEC("uprobe")
int BPF_KPROBE(gpu_set_device, int device)
{
	struct gpu_thread *th = thread_state();

	if (th)
		th->device = clamp_device(device);
	return 0;
}

/* --- the thread's device from its driver context -------------------------------------- */

static __always_inline int context_enter(struct pt_regs *ctx, __u64 out, __s64 device)
{
	struct gpu_thread *th = thread_state();
	struct gpu_call *call;

	if (!th)
		return 0;
	call = &th->calls[CONTEXT_SLOT];
	call->sp = PT_REGS_SP(ctx);
	call->out = out;
	call->device = clamp_device(device);
	return 0;
}

/* cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev) */
SEC("uprobe")
int BPF_KPROBE(gpu_context_retain_enter, __u64 out, int device)
{
	return context_enter(ctx, out, device);
}

/* cuCtxCreate_v2(CUcontext *pctx, unsigned int flags, CUdevice dev) */
SEC("uprobe")
int BPF_KPROBE(gpu_context_create_enter, __u64 out, unsigned int flags, int device)
{
	return context_enter(ctx, out, device);
}

/* Their return: the context made is remembered with its device. */
SEC("uretprobe")
int BPF_KRETPROBE(gpu_context_exit, int result)
{
	struct gpu_context_key key = { .tgid = bpf_get_current_pid_tgid() >> 32 };
	struct gpu_thread *th = thread_state();
	struct gpu_call *slot;
	__s32 device;

	if (!th)
		return 0;
	slot = &th->calls[CONTEXT_SLOT];
	if (!slot->sp || PT_REGS_SP(ctx) != slot->sp + RETURN_SP_DELTA)
		return 0;
	slot->sp = 0;
	device = slot->device;
	if (result == 0 && !bpf_probe_read_user(&key.context, sizeof(key.context), (void *)slot->out))
		bpf_map_update_elem(&gpu_contexts, &key, &device, BPF_ANY);
	return 0;
}

/* cuCtxSetCurrent(ctx), cuCtxPushCurrent_v2(ctx): the thread's device is the context's. */
SEC("uprobe")
int BPF_KPROBE(gpu_context_current, __u64 context)
{
	struct gpu_context_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .context = context };
	__s32 *device = bpf_map_lookup_elem(&gpu_contexts, &key);
	struct gpu_thread *th;

	if (!device || !(th = thread_state()))
		return 0;
	th->device = *device;
	return 0;
}

/* cuMemMap(ptr, size, offset, handle, flags): a created handle mapped; counted on the
 * handle's device. */
SEC("uprobe")
int BPF_KPROBE(gpu_map_enter, __u64 ptr, __u64 size, __u64 offset, __u64 handle)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct gpu_outstanding_key key = { .tgid = tgid, .space = GPU_SPACE_HANDLE, .addr = handle };
	struct gpu_block *b = bpf_map_lookup_elem(&gpu_outstanding, &key);
	struct gpu_thread *th = thread_state();
	struct gpu_stats *st;

	if (!th || inside_runtime(th, PT_REGS_SP(ctx)))
		return 0;
	st = stats_of(tgid, b ? b->device : th->device);
	if (!st)
		return 0;
	__sync_fetch_and_add(&st->maps, 1);
	__sync_fetch_and_add(&st->bytes_mapped, size);
	return 0;
}

/* --- the caching allocator ------------------------------------------------------------ */

/* USDT pytorch:malloc(ptr, device, size, stream id): a block handed out. */
SEC("usdt")
int tensor_malloc_usdt(struct pt_regs *ctx)
{
	long ptr = 0, device = 0, size = 0;

	if (bpf_usdt_arg(ctx, 0, &ptr) || bpf_usdt_arg(ctx, 1, &device) ||
	    bpf_usdt_arg(ctx, 2, &size) || !ptr)
		return 0;
	record_alloc(ctx, bpf_get_current_pid_tgid() >> 32, GPU_API_CACHING, GPU_SPACE_TENSOR, ptr,
		     size, clamp_device((signed char)device), GPU_MEMORY_TENSOR);
	return 0;
}

/* USDT pytorch:free(ptr): a block given back to the cache. */
SEC("usdt")
int tensor_free_usdt(struct pt_regs *ctx)
{
	long ptr = 0;
	struct gpu_thread *th = thread_state();

	if (bpf_usdt_arg(ctx, 0, &ptr))
		return 0;
	record_free(bpf_get_current_pid_tgid() >> 32, GPU_SPACE_TENSOR, ptr, th ? th->device : 0);
	return 0;
}

/* Without USDT: NativeCachingAllocator::malloc(this, void **devPtr, int8 device, size_t size,
 * stream), and its return. */
SEC("uprobe")
int BPF_KPROBE(tensor_malloc_enter, void *self, __u64 out, long device, __u64 size)
{
	struct gpu_thread *th = thread_state();
	struct gpu_call *call;

	if (!th)
		return 0;
	call = &th->calls[GPU_API_CACHING];
	call->sp = PT_REGS_SP(ctx);
	call->out = out;
	call->size = size;
	call->device = clamp_device((signed char)device);
	call->op = GPU_CALL_ALLOC;
	call->memory = GPU_MEMORY_TENSOR;
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(tensor_malloc_exit)
{
	struct gpu_thread *th = thread_state();
	struct gpu_call *slot, call;
	__u64 addr = 0;

	if (!th)
		return 0;
	slot = &th->calls[GPU_API_CACHING];
	if (!slot->sp || PT_REGS_SP(ctx) != slot->sp + RETURN_SP_DELTA)
		return 0;
	call = *slot;
	slot->sp = 0;
	if (bpf_probe_read_user(&addr, sizeof(addr), (void *)call.out) || !addr)
		return 0;
	record_alloc(ctx, bpf_get_current_pid_tgid() >> 32, GPU_API_CACHING, GPU_SPACE_TENSOR, addr,
		     call.size, call.device, GPU_MEMORY_TENSOR);
	return 0;
}

/* NativeCachingAllocator::free(this, void *ptr). */
SEC("uprobe")
int BPF_KPROBE(tensor_free_enter, void *self, __u64 ptr)
{
	struct gpu_thread *th = thread_state();

	record_free(bpf_get_current_pid_tgid() >> 32, GPU_SPACE_TENSOR, ptr, th ? th->device : 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
