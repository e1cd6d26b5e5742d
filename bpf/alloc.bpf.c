// SPDX-License-Identifier: GPL-2.0
/* Native allocator probes: libc malloc family (uprobes) and mapping syscalls (tracepoints).
 * Everything is aggregated in maps; nothing is sent per event. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "alloc.h"
#include "lifetime_bucket.bpf.h"
#include "maps.bpf.h"
#include "native_stats_map.bpf.h"
#include "stack_walk.bpf.h"
#include "python_stack.bpf.h"

/* Set by the loader before load. */
const volatile bool record_stacks = true;
const volatile bool record_ages = false;      /* --leak-age, windows: a clock read per allocation */
const volatile __u64 temporary_ns = 1000000;  /* --temporary-ms: a shorter lifetime is temporary */
const volatile bool follow_forks = false;    /* -f: traced processes' children join */
/* --py-stack-sample: mean bytes between allocations that walk the Python stack (0: all) */
const volatile __u64 py_stack_sample_bytes = 0;

enum alloc_kind {
	KIND_PLAIN,      /* returns the block: malloc, calloc, aligned_alloc, memalign, valloc, pvalloc */
	KIND_REALLOC,    /* returns the block and releases old_ptr */
	KIND_MEMPTR,     /* posix_memalign: writes the block to *memptr, returns an error code */
};

/* An allocator call between entry and return, per thread. Its stack pointer tells a call
 * made from inside it (reallocarray -> realloc: deeper) from a later call after a return we
 * never saw (probes attached mid-call, longjmp: same depth or shallower). */
struct pending_call {
	__u64 size;
	__u64 old_ptr;
	__u64 memptr;
	__u64 sp;        /* at entry */
	__u32 kind;
	__u32 pad;
};

/* How far the stack pointer moves back on return: x86 pops the return address. */
#if defined(__TARGET_ARCH_x86)
#define RETURN_SP_DELTA 8
#else
#define RETURN_SP_DELTA 0
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct mmap_stats);
} mmap_stats SEC(".maps");

/* Task-local storage, not a hash keyed by tid: no bucket lock, no element alloc and free per
 * call; the slot stays with the thread and is marked free by sp == 0 (no stack pointer is 0). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending_call);
} pending SEC(".maps");

/* Outstanding allocations, in levels the loader adds as they fill (alloc_tracer.c): a hash
 * map's bucket array (16 bytes per entry of capacity) is allocated whole at creation, so one
 * map sized for the largest workload would cost that much kernel memory for every trace.
 * Levels are not preallocated: an entry costs its ~100 bytes only while the block is live. */
struct outstanding_level {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);  /* hash levels may differ in max_entries */
	__uint(max_entries, 1);          /* each level is created by the loader with its own size */
	/* Sizes, not types: clang leaves a type seen only through __array a forward declaration. */
	__uint(key_size, sizeof(struct outstanding_key));
	__uint(value_size, sizeof(struct outstanding_alloc));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, OUTSTANDING_MAX_LEVELS);
	__type(key, __u32);
	__array(values, struct outstanding_level);
} outstanding SEC(".maps");

/* Levels in `outstanding` (set by the loader after it stored the new level). */
volatile __u32 outstanding_levels;

/* Entries in `outstanding`, per CPU (a free may count on another CPU than its allocation):
 * the loader sums them to see when to add a level. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
} outstanding_count SEC(".maps");

/* Processes that had allocations dropped (outstanding full): their unmatched frees may be
 * frees of dropped blocks, no longer only of blocks allocated before attach. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} dropping_tgids SEC(".maps");

/* User stacks by id, walked and hashed here rather than by bpf_get_stackid (walk_user_stack). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);      /* resized by the loader (--stack-entries) */
	__type(key, __u32);
	__type(value, struct stack_trace);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct stack_key);
	__type(value, struct stack_stats);
} stack_stats SEC(".maps");

/* A new stack's first stack_stats, made here: too large for the BPF stack. Only its hash and
 * sizes are ever written, the rest stays zero. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_stats);
} fresh_stack_stats SEC(".maps");

/* Processes whose mapping syscalls count: the tracepoints fire for every process. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} traced_tgids SEC(".maps");

/* An mmap/munmap/mremap between syscall entry and exit, per thread. */
struct mapping_call {
	__u64 len;
	__u32 growth_kind;          /* HEAP_GROWTH_KINDS: not heap growth */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct mapping_call);
} mapping_len SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);      /* resized by the loader */
	__type(key, struct heap_growth_key);
	__type(value, struct heap_growth_stats);
} heap_growth SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} last_brk SEC(".maps");

/* The highest brk seen: heap growth is the heap's top passing it. A heap that glibc trims and
 * grows again over the same range (a loop allocating and freeing at the top) grew it once. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} brk_high SEC(".maps");

static __always_inline struct native_stats *native_stats_of(__u32 tgid)
{
	static const struct native_stats zero;

	return lookup_or_init(&native_stats, &tgid, &zero);
}

static __always_inline struct mmap_stats *mmap_stats_of(__u32 tgid)
{
	static const struct mmap_stats zero;

	return lookup_or_init(&mmap_stats, &tgid, &zero);
}

static __always_inline __u32 size_bucket(__u64 size)
{
	__u32 bucket = 0;

#pragma unroll
	for (int shift = 32; shift > 0; shift >>= 1) {
		if (size >> shift) {
			size >>= shift;
			bucket += shift;
		}
	}
	return bucket < ALLOC_SIZE_BUCKETS ? bucket : ALLOC_SIZE_BUCKETS - 1;
}

/* The calling thread's pending-call slot; sp == 0: no call pending. */
static __always_inline struct pending_call *pending_slot(__u64 flags)
{
	return bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, flags);
}

/* The thread's pending call, if the current stack pointer is inside it. */
static __always_inline bool inside_pending_call(__u64 sp)
{
	struct pending_call *outer = pending_slot(0);

	return outer && sp < outer->sp;
}

static __always_inline int enter_alloc(struct pt_regs *ctx, __u64 size, __u64 old_ptr,
				       __u64 memptr, enum alloc_kind kind)
{
	struct pending_call *call = pending_slot(BPF_LOCAL_STORAGE_GET_F_CREATE);
	__u64 sp = PT_REGS_SP(ctx);

	/* Calls the allocator makes to itself are part of the outer call. */
	if (!call || sp < call->sp)
		return 0;
	call->size = size;
	call->old_ptr = old_ptr;
	call->memptr = memptr;
	call->kind = kind;
	call->sp = sp;
	return 0;
}

/* A stack's id is its hash folded to 31 bits; when another stack holds that id, the next of
 * STACK_ID_PROBES ids (open addressing), so that two stacks which fold alike are both kept.
 * Entries are never deleted, so a stack finds its id again along the same probes. */
#define STACK_ID_PROBES 4

enum stack_slot { SLOT_OURS, SLOT_OTHER, SLOT_FULL };

/* Whether the id in `stacks` holds this stack, storing it there if the id is free. */
static __always_inline enum stack_slot claim_stack_id(__u32 id, struct stack_trace *trace)
{
	struct stack_trace *known;

	if (bpf_map_update_elem(&stacks, &id, trace, BPF_NOEXIST) == 0)
		return SLOT_OURS;
	known = bpf_map_lookup_elem(&stacks, &id);   /* stored before, by this process or another */
	if (!known)
		return SLOT_FULL;
	return known->hash == trace->hash ? SLOT_OURS : SLOT_OTHER;
}

static __always_inline void count_outstanding(__s64 delta)
{
	__u32 zero = 0;
	__s64 *count = bpf_map_lookup_elem(&outstanding_count, &zero);

	if (count)
		*count += delta;
}

/* Takes the block out of the level that holds it (into *taken); false if no level does. */
static __always_inline bool take_outstanding(struct outstanding_key *key,
					     struct outstanding_alloc *taken)
{
	__u32 levels = outstanding_levels;

	/* The newest levels are the largest: look there first. */
	for (__u32 i = 0; i < OUTSTANDING_MAX_LEVELS; i++) {
		__u32 level = levels - 1 - i;
		struct outstanding_alloc *alloc;
		void *map;

		if (i >= levels)
			break;
		map = bpf_map_lookup_elem(&outstanding, &level);
		if (!map)
			continue;
		alloc = bpf_map_lookup_elem(map, key);
		if (!alloc)
			continue;
		*taken = *alloc;
		if (bpf_map_delete_elem(map, key))
			return false;   /* another thread freed it first */
		count_outstanding(-1);
		return true;
	}
	return false;
}

/* Stores the block in the newest level, or in an older one with room; false if all are full. */
static __always_inline bool put_outstanding(struct outstanding_key *key,
					    struct outstanding_alloc *alloc)
{
	__u32 levels = outstanding_levels;

	for (__u32 i = 0; i < OUTSTANDING_MAX_LEVELS; i++) {
		__u32 level = levels - 1 - i;
		void *map;

		if (i >= levels)
			break;
		map = bpf_map_lookup_elem(&outstanding, &level);
		if (map && bpf_map_update_elem(map, key, alloc, BPF_ANY) == 0) {
			count_outstanding(1);
			return true;
		}
	}
	return false;
}

/* The freed block's lifetime, in its stack's histogram. */
static __always_inline void count_lifetime(struct stack_stats *sstats, __u64 born_ns)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 lifetime = now > born_ns ? now - born_ns : 0;
	__u32 bucket = lifetime_bucket(lifetime, LIFETIME_BUCKETS);

	if (lifetime < temporary_ns)
		__sync_fetch_and_add(&sstats->temporary, 1);
	__sync_fetch_and_add(&sstats->lifetime_ns_total, lifetime);
	if (bucket < LIFETIME_BUCKETS)   /* for the verifier */
		__sync_fetch_and_add(&sstats->lifetime_hist[bucket], 1);
}

static __always_inline void record_free(struct native_stats *stats, __u32 tgid, __u64 addr)
{
	struct outstanding_key key = { .tgid = tgid, .addr = addr };
	struct outstanding_alloc taken;
	__u64 size;
	int stack_id;

	if (!take_outstanding(&key, &taken)) {
		if (bpf_map_lookup_elem(&dropping_tgids, &tgid))
			stats->frees_dropped_or_untracked++;
		else
			stats->frees_untracked++;
		return;
	}
	size = taken.size;
	stack_id = taken.stack_id;
	stats->frees++;
	stats->bytes_freed += size;
	if (record_stacks && stack_id >= 0) {
		struct stack_key skey = { .tgid = tgid, .stack_id = stack_id };
		struct stack_stats *sstats = bpf_map_lookup_elem(&stack_stats, &skey);

		if (sstats) {
			__sync_fetch_and_add(&sstats->frees, 1);
			__sync_fetch_and_add(&sstats->bytes_freed, size);
			count_lifetime(sstats, taken.timestamp_ns);
		}
	}
}

/* Where an allocation's stack is counted: its id (< 0: none), hash, and stack_stats entry when
 * the process has allocated from this stack before. */
struct allocation_stack {
	int id;
	__u64 hash;
	struct stack_stats *sstats;
};

/* Bytes a thread may allocate before its next Python walk (--py-stack-sample). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __s64);
} py_sample_left SEC(".maps");

/* -ln(u) for u at the middles of 64 equal steps of (0, 1), times 2^16: draws from an
 * exponential distribution of mean 1 (0.995 here), coarse but without periodicity. */
static const __u32 exp_quantiles[64] = {
317983, 245984, 212507, 190455, 173985, 160834, 149886, 140508,
132305, 125016, 118457, 112495, 107030, 101987, 97304, 92933,
88836, 84979, 81338, 77887, 74610, 71489, 68509, 65659,
62928, 60307, 57786, 55358, 53017, 50757, 48572, 46458,
44410, 42424, 40496, 38624, 36803, 35032, 33307, 31627,
29988, 28390, 26829, 25305, 23815, 22359, 20934, 19540,
18174, 16837, 15526, 14241, 12981, 11744, 10530, 9339,
8169, 7019, 5889, 4778, 3686, 2611, 1554, 514
};

/* A Poisson sample by bytes, as tcmalloc's and Go's heap profilers take theirs: the walk is
 * made for the allocation that uses up the thread's allowance, and a new one is drawn, so
 * each byte is sampled with probability 1/mean whatever the allocation sizes. */
static __always_inline bool python_stack_sampled(__u64 size)
{
	__s64 *left;

	if (!py_stack_sample_bytes)
		return true;
	left = bpf_task_storage_get(&py_sample_left, bpf_get_current_task_btf(), 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!left)
		return false;
	*left -= (__s64)size;
	if (*left > 0)
		return false;
	*left = (__s64)((py_stack_sample_bytes * exp_quantiles[bpf_get_prandom_u32() & 63]) >> 16);
	return true;
}

/* Joins the thread's Python stack to a native one, in its identity too. */
static __always_inline void with_python_stack(struct stack_trace *trace, __u32 tgid)
{
	__u64 hash = trace->hash;

	trace->py_stack_id = walk_python_stack(tgid);
	if (trace->py_stack_id < 0)
		return;
	hash ^= (__u64)trace->py_stack_id * 0x9e3779b97f4a7c15ULL;
	hash ^= hash >> 29;
	trace->hash = hash;
}

static __always_inline void find_allocation_stack(struct pt_regs *ctx, __u32 tgid, __u64 size,
						  struct allocation_stack *st)
{
	struct stack_trace *trace = walk_user_stack(ctx);
	struct stack_key skey = { .tgid = tgid };

	if (!trace)
		return;
	if (python_stack_sampled(size))
		with_python_stack(trace, tgid);
	for (__u32 probe = 0; probe < STACK_ID_PROBES; probe++) {
		skey.stack_id = (trace->hash + probe) & 0x7fffffff;
		/* Known to this process: one lookup, the entry carries the stack's hash. */
		st->sstats = bpf_map_lookup_elem(&stack_stats, &skey);
		if (st->sstats) {
			if (st->sstats->hash != trace->hash)
				continue;
		} else {
			enum stack_slot slot = claim_stack_id(skey.stack_id, trace);

			if (slot == SLOT_FULL)
				return;
			if (slot == SLOT_OTHER)
				continue;
		}
		st->id = skey.stack_id;
		st->hash = trace->hash;
		return;
	}
	st->sstats = NULL;
}

/* Counts an allocation recorded in `outstanding` against its stack. */
static __always_inline void count_stack_alloc(struct native_stats *stats, __u32 tgid,
					      struct allocation_stack *st, __u64 size)
{
	struct stack_key skey = { .tgid = tgid, .stack_id = st->id };
	struct stack_stats *sstats = st->sstats, *fresh;
	__u32 zero = 0;
	__u64 live;

	if (!sstats) {
		fresh = bpf_map_lookup_elem(&fresh_stack_stats, &zero);
		if (!fresh) {
			stats->stack_dropped++;
			return;
		}
		fresh->hash = st->hash;
		fresh->size_min = fresh->size_max = size;
		/* A racing thread may insert it first: then count on its entry. */
		bpf_map_update_elem(&stack_stats, &skey, fresh, BPF_NOEXIST);
		sstats = bpf_map_lookup_elem(&stack_stats, &skey);
	}
	if (!sstats) {
		stats->stack_dropped++;
		return;
	}
	__sync_fetch_and_add(&sstats->allocs, 1);
	__sync_fetch_and_add(&sstats->bytes_allocated, size);
	live = sstats->allocs - sstats->frees;
	/* Plain stores: a racing thread may win with a smaller figure (pools: a hint). */
	if ((__s64)live > (__s64)sstats->peak_live)
		sstats->peak_live = live;
	if (size < sstats->size_min)
		sstats->size_min = size;
	if (size > sstats->size_max)
		sstats->size_max = size;
}

static __always_inline void record_alloc(struct pt_regs *ctx, struct native_stats *stats,
					 __u32 tgid, __u64 addr, __u64 size)
{
	struct outstanding_key key = { .tgid = tgid, .addr = addr };
	struct outstanding_alloc alloc = { .size = size, .stack_id = -1 };
	struct allocation_stack st = { .id = -1 };

	stats->allocs++;
	stats->bytes_allocated += size;
	stats->size_hist[size_bucket(size)]++;

	if (record_stacks) {
		find_allocation_stack(ctx, tgid, size, &st);
		if (st.id < 0)
			stats->stack_dropped++;
		alloc.stack_id = st.id;
	}
	/* Lifetimes are kept per stack: without stacks only --leak-age and windows need it. */
	if (record_stacks || record_ages)
		alloc.timestamp_ns = bpf_ktime_get_ns();
	if (!put_outstanding(&key, &alloc)) {
		__u8 one = 1;

		stats->dropped++;
		stats->bytes_dropped += size;
		bpf_map_update_elem(&dropping_tgids, &tgid, &one, BPF_ANY);
		return;
	}
	if (record_stacks && st.id >= 0)
		count_stack_alloc(stats, tgid, &st, size);
}

static __always_inline int exit_alloc(struct pt_regs *ctx)
{
	struct pending_call *call = pending_slot(0);
	__u64 ret = PT_REGS_RC(ctx), addr = ret, pid_tgid;
	struct native_stats *stats;
	__u32 tgid;

	/* A deeper return belongs to a call made from inside the pending one. */
	if (!call || !call->sp || PT_REGS_SP(ctx) != call->sp + RETURN_SP_DELTA)
		return 0;
	struct pending_call done = *call;
	call->sp = 0;

	pid_tgid = bpf_get_current_pid_tgid();
	tgid = pid_tgid >> 32;
	stats = native_stats_of(tgid);
	if (!stats)
		return 0;
	if (done.kind == KIND_MEMPTR) {
		addr = 0;
		if ((int)ret == 0)
			bpf_probe_read_user(&addr, sizeof(addr), (void *)done.memptr);
	}
	/* realloc(p, 0) frees p and returns NULL; a failed realloc leaves p alone. */
	if (done.kind == KIND_REALLOC && done.old_ptr && (addr || done.size == 0))
		record_free(stats, tgid, done.old_ptr);
	if (addr)
		record_alloc(ctx, stats, tgid, addr, done.size);
	else if (!(done.kind == KIND_REALLOC && done.size == 0))
		stats->failed_allocs++;
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(malloc_enter, size_t size)
{
	return enter_alloc(ctx, size, 0, 0, KIND_PLAIN);
}

SEC("uprobe")
int BPF_KPROBE(calloc_enter, size_t count, size_t size)
{
	return enter_alloc(ctx, count * size, 0, 0, KIND_PLAIN);
}

SEC("uprobe")
int BPF_KPROBE(realloc_enter, void *ptr, size_t size)
{
	return enter_alloc(ctx, size, (__u64)ptr, 0, KIND_REALLOC);
}

SEC("uprobe")
int BPF_KPROBE(reallocarray_enter, void *ptr, size_t count, size_t size)
{
	return enter_alloc(ctx, count * size, (__u64)ptr, 0, KIND_REALLOC);
}

SEC("uprobe")
int BPF_KPROBE(posix_memalign_enter, void **memptr, size_t alignment, size_t size)
{
	return enter_alloc(ctx, size, 0, (__u64)memptr, KIND_MEMPTR);
}

/* aligned_alloc, memalign: (alignment, size) */
SEC("uprobe")
int BPF_KPROBE(aligned_alloc_enter, size_t alignment, size_t size)
{
	return enter_alloc(ctx, size, 0, 0, KIND_PLAIN);
}

/* valloc, pvalloc: (size) */
SEC("uprobe")
int BPF_KPROBE(valloc_enter, size_t size)
{
	return enter_alloc(ctx, size, 0, 0, KIND_PLAIN);
}

SEC("uretprobe")
int BPF_KRETPROBE(alloc_exit)
{
	return exit_alloc(ctx);
}

SEC("uprobe")
int BPF_KPROBE(free_enter, void *ptr)
{
	__u32 tgid;
	struct native_stats *stats;

	/* free() called by the allocator itself is part of the outer call. */
	if (!ptr || inside_pending_call(PT_REGS_SP(ctx)))
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	stats = native_stats_of(tgid);
	if (stats)
		record_free(stats, tgid, (__u64)ptr);
	return 0;
}

static __always_inline bool traced(__u32 tgid)
{
	return bpf_map_lookup_elem(&traced_tgids, &tgid) != NULL;
}

static __always_inline int remember_call(__u64 len, __u32 growth_kind)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mapping_call call = { .len = len, .growth_kind = growth_kind };
	__u32 tid = (__u32)pid_tgid;

	if (!traced(pid_tgid >> 32))
		return 0;
	bpf_map_update_elem(&mapping_len, &tid, &call, BPF_ANY);
	return 0;
}

static __always_inline int remember_len(__u64 len)
{
	return remember_call(len, HEAP_GROWTH_KINDS);
}

/* The native stack of the thread in a syscall, stored in `stacks`: its id, or -1. */
static __always_inline int syscall_native_stack(void)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	struct stack_trace *trace = walk_user_stack(regs);

	if (!trace)
		return -1;
	for (__u32 probe = 0; probe < STACK_ID_PROBES; probe++) {
		__u32 id = (trace->hash + probe) & 0x7fffffff;
		enum stack_slot slot = claim_stack_id(id, trace);

		if (slot == SLOT_OURS)
			return id;
		if (slot == SLOT_FULL)
			return -1;
	}
	return -1;
}

/* Heap growth, against the stacks of the thread that made it. Global, verified once. */
__noinline int count_heap_growth(__u32 tgid, __u32 kind, __u64 bytes)
{
	struct heap_growth_key key = { .tgid = tgid, .kind = kind, .native_stack_id = -1 };
	static const struct heap_growth_stats zero;
	struct heap_growth_stats *growth;

	key.py_stack_id = walk_python_stack(tgid);
	if (record_stacks)
		key.native_stack_id = syscall_native_stack();
	growth = lookup_or_init(&heap_growth, &key, &zero);
	if (!growth) {
		struct mmap_stats *stats = mmap_stats_of(tgid);

		if (stats)
			stats->growth_dropped++;
		return 0;
	}
	__sync_fetch_and_add(&growth->bytes, bytes);
	__sync_fetch_and_add(&growth->events, 1);
	return 0;
}

#define MAP_ANONYMOUS_FLAG 0x20
#define MAP_STACK_FLAG 0x20000

/* Whether an mmap grows the heap: anonymous, accessible, not a thread stack, large. */
static __always_inline __u32 mmap_growth_kind(__u32 tgid, __u64 len, __u64 prot, __u64 flags)
{
	struct py_stack_config *cfg;

	if (!(flags & MAP_ANONYMOUS_FLAG) || (flags & MAP_STACK_FLAG) || !prot ||
	    len < HEAP_GROWTH_MMAP_MIN)
		return HEAP_GROWTH_KINDS;
	cfg = bpf_map_lookup_elem(&py_stack_configs, &tgid);
	if (cfg && cfg->arena_size == len)
		return HEAP_GROWTH_ARENA;
	return HEAP_GROWTH_MMAP;
}

static __always_inline bool syscall_failed(long ret)
{
	return ret < 0 && ret > -4096;
}

static __always_inline bool take_call(__u32 tid, struct mapping_call *call)
{
	struct mapping_call *stored = bpf_map_lookup_elem(&mapping_len, &tid);

	if (!stored)
		return false;
	*call = *stored;
	bpf_map_delete_elem(&mapping_len, &tid);
	return true;
}

static __always_inline bool take_len(__u32 tid, __u64 *len)
{
	struct mapping_call call;

	if (!take_call(tid, &call))
		return false;
	*len = call.len;
	return true;
}

SEC("tracepoint/syscalls/sys_enter_mmap")
int mmap_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return remember_call(ctx->args[1],
			     mmap_growth_kind(tgid, ctx->args[1], ctx->args[2], ctx->args[3]));
}

SEC("tracepoint/syscalls/sys_exit_mmap")
int mmap_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mapping_call call;
	struct mmap_stats *stats;

	if (!take_call((__u32)pid_tgid, &call) || syscall_failed(ctx->ret))
		return 0;
	stats = mmap_stats_of(pid_tgid >> 32);
	if (stats) {
		stats->mmaps++;
		stats->bytes_mapped += call.len;
	}
	if (call.growth_kind < HEAP_GROWTH_KINDS)
		count_heap_growth(pid_tgid >> 32, call.growth_kind, call.len);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_munmap")
int munmap_enter(struct trace_event_raw_sys_enter *ctx)
{
	return remember_len(ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_exit_munmap")
int munmap_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mmap_stats *stats;
	__u64 len;

	if (!take_len((__u32)pid_tgid, &len) || ctx->ret != 0)
		return 0;
	stats = mmap_stats_of(pid_tgid >> 32);
	if (stats) {
		stats->munmaps++;
		stats->bytes_unmapped += len;
	}
	return 0;
}

/* mremap: the growth or shrink counts as mapped or unmapped bytes. */
SEC("tracepoint/syscalls/sys_enter_mremap")
int mremap_enter(struct trace_event_raw_sys_enter *ctx)
{
	return remember_len(ctx->args[2] - ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_exit_mremap")
int mremap_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mmap_stats *stats;
	__u64 delta;

	if (!take_len((__u32)pid_tgid, &delta) || syscall_failed(ctx->ret))
		return 0;
	stats = mmap_stats_of(pid_tgid >> 32);
	if (!stats)
		return 0;
	stats->mremaps++;
	if ((long)delta >= 0)
		stats->bytes_mapped += delta;
	else
		stats->bytes_unmapped += -(long)delta;
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_brk")
int brk_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 new_brk = ctx->ret, *prev;
	struct mmap_stats *stats;

	if (!traced(tgid))
		return 0;
	prev = bpf_map_lookup_elem(&last_brk, &tgid);
	if (!prev) {
		/* First brk seen: the baseline, not growth. */
		bpf_map_update_elem(&last_brk, &tgid, &new_brk, BPF_ANY);
		return 0;
	}
	if (new_brk == *prev)
		return 0;
	stats = mmap_stats_of(tgid);
	if (stats) {
		stats->brks++;
		stats->brk_growth += (long long)(new_brk - *prev);
	}
	if (new_brk > *prev) {
		__u64 *high = bpf_map_lookup_elem(&brk_high, &tgid);
		__u64 floor = high && *high > *prev ? *high : *prev;

		if (new_brk > floor) {
			count_heap_growth(tgid, HEAP_GROWTH_BRK, new_brk - floor);
			bpf_map_update_elem(&brk_high, &tgid, &new_brk, BPF_ANY);
		}
	}
	*prev = new_brk;
	return 0;
}

/* -f: a new process (not a thread) forked by a traced one is traced from now on; the loader
 * learns of it through the ring buffer and attaches the child's own uprobes. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16384);
} forks SEC(".maps");

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 parent_tgid = parent->tgid, child_tgid = child->tgid;
	struct fork_event *e;
	__u8 one = 1;

	if (!follow_forks || parent_tgid == child_tgid || !traced(parent_tgid))
		return 0;
	bpf_map_update_elem(&traced_tgids, &child_tgid, &one, BPF_ANY);
	e = bpf_ringbuf_reserve(&forks, sizeof(*e), 0);
	if (!e)
		return 0;
	e->parent_tgid = parent_tgid;
	e->child_tgid = child_tgid;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
