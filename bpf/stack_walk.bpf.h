/* User stacks walked along frame pointers, for any uprobe program: walk_user_stack fills a
 * per-CPU struct stack_trace (include/alloc.h) and hashes it.
 *
 * Code built without frame pointers (most distributions' libraries) uses rbp as a general
 * register: following it yields "return addresses" that are data, or code that no call
 * precedes, and one call site becomes several stacks. A frame therefore counts only if
 *   1. its record lies inside the thread's stack: [sp, the end of the mapping holding sp),
 *      and below mm->start_stack on the main thread (argv and the environment lie above);
 *   2. the bytes before its return address encode a call instruction; and
 *   3. its return address lies in an executable mapping;
 * the first frame that fails ends the stack, so the stacks of one call site are equal again.
 * All three run here, per hit, rather than at symbolization: a stack cut in user space would
 * still be hashed and stored once per garbage variant, and every report (top stacks, leak
 * series, --leak-age groups) would have to merge them. The mappings (1 and 3) come from
 * bpf_find_vma (5.17+, allowed in uprobe programs), which try-locks the mmap lock: their
 * bounds are cached per thread, so a hit costs compares, and the lookup runs only when sp
 * leaves the cached stack or a return address falls outside the cached code mappings. Check
 * 2 is one 8-byte read, made before check 3 so that most garbage is refused without a
 * mapping lookup; a return address that passed both is remembered per thread, so the frames
 * of a known call chain cost a compare each. Cached mappings and addresses may outlive a
 * dlclose: that only keeps a frame which still has to point exactly there, inside a stack.
 * docs/performance.md has the cost. */
#ifndef MEMTRACE_STACK_WALK_BPF_H
#define MEMTRACE_STACK_WALK_BPF_H

#include "alloc.h"

#define VM_EXEC 0x4ul                      /* include/linux/mm.h: macros are not in BTF */
#define EBUSY 16
#define STACK_WALK_CODE_RANGES 8            /* code mappings cached per thread */
#define STACK_WALK_KNOWN_RETURNS 128        /* return addresses that passed, per thread */
#define STACK_WALK_FALLBACK_SPAN (8ul << 20) /* stack bound when the mmap lock is busy */

/* A frame record (x86-64 and arm64 alike): the caller's frame pointer, then the return address. */
struct frame_record {
	__u64 next_fp;
	__u64 return_address;
};

struct address_range {
	__u64 start, end;
};

/* Per thread: the mapping of its stack, the code mappings its return addresses fell in, and
 * the return addresses that passed checks 2 and 3 (direct-mapped: a hit skips both). */
struct stack_walk_cache {
	struct address_range stack;
	struct address_range code[STACK_WALK_CODE_RANGES];
	__u32 next_code;                    /* the slot the next code mapping replaces */
	__u32 pad;
	__u64 known_return[STACK_WALK_KNOWN_RETURNS];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct stack_walk_cache);
} stack_walk_cache SEC(".maps");

/* The stack being walked: too big for the 512-byte BPF stack beside the callers' locals. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_trace);
} stack_scratch SEC(".maps");

/* bpf_find_vma callbacks: the mapping's bounds into the range (left empty if refused). */
static long thread_stack_vma(struct task_struct *task, struct vm_area_struct *vma,
			     struct address_range *range)
{
	__u64 start_stack = task->mm->start_stack;

	range->start = vma->vm_start;
	range->end = vma->vm_end;
	if (start_stack > range->start && start_stack < range->end)
		range->end = start_stack;
	return 0;
}

static long code_vma(struct task_struct *task, struct vm_area_struct *vma,
		     struct address_range *range)
{
	if (vma->vm_flags & VM_EXEC) {
		range->start = vma->vm_start;
		range->end = vma->vm_end;
	}
	return 0;
}

static __always_inline bool in_range(const struct address_range *r, __u64 addr)
{
	return addr >= r->start && addr < r->end;
}

/* Where frame records may lie: the mapping holding sp, from the cache or looked up. */
static __always_inline __u64 stack_end(struct stack_walk_cache *cache, __u64 sp)
{
	struct address_range found = {};

	if (cache && in_range(&cache->stack, sp))
		return cache->stack.end;
	if (bpf_find_vma(bpf_get_current_task_btf(), sp, thread_stack_vma, &found, 0) ||
	    !in_range(&found, sp))
		return sp + STACK_WALK_FALLBACK_SPAN;
	if (cache)
		cache->stack = found;
	return found.end;
}

/* A busy mmap lock (another thread mapping memory) accepts the frame: check 2 still holds,
 * and cutting a real stack would split it as much as the garbage does. */
static __always_inline bool in_code_mapping(struct stack_walk_cache *cache, __u64 addr)
{
	struct address_range found = {};
	long err;

	if (cache) {
#pragma unroll
		for (int i = 0; i < STACK_WALK_CODE_RANGES; i++)
			if (in_range(&cache->code[i], addr))
				return true;
	}
	err = bpf_find_vma(bpf_get_current_task_btf(), addr, code_vma, &found, 0);
	if (err == -EBUSY)
		return true;
	if (err || !in_range(&found, addr))
		return false;
	if (cache)
		cache->code[cache->next_code++ % STACK_WALK_CODE_RANGES] = found;
	return true;
}

#if defined(__TARGET_ARCH_x86)
/* Bytes of a ModRM operand: ModRM, SIB, displacement. */
static __always_inline int modrm_operand_length(__u8 modrm, __u8 sib)
{
	__u8 mod = modrm >> 6, rm = modrm & 7;

	if (mod == 3)
		return 1;
	if (rm == 4 && mod == 0 && (sib & 7) == 5)
		return 6;                   /* SIB, no base: disp32 */
	if (rm == 5 && mod == 0)
		return 5;                   /* rip-relative disp32 */
	return 1 + (rm == 4) + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

/* Whether a call ends where the return address points: call rel32 (e8), or call r/m64 (ff /2,
 * 2 to 7 bytes; a REX or notrack prefix sits before the ff). */
static __always_inline bool follows_call(__u64 return_address)
{
	__u64 code;

	if (bpf_probe_read_user(&code, sizeof(code), (void *)(return_address - sizeof(code))))
		return false;
#define BYTE_BEFORE(k) ((__u8)(code >> (64 - 8 * (k))))
	if (BYTE_BEFORE(5) == 0xe8)
		return true;
#pragma unroll
	for (int k = 2; k <= 7; k++) {
		__u8 modrm = BYTE_BEFORE(k - 1), sib = k > 2 ? BYTE_BEFORE(k - 2) : 0;

		if (BYTE_BEFORE(k) == 0xff && ((modrm >> 3) & 7) == 2 &&
		    1 + modrm_operand_length(modrm, sib) == k)
			return true;
	}
#undef BYTE_BEFORE
	return false;
}
#elif defined(__TARGET_ARCH_arm64)
/* Whether the instruction before the return address is BL, BLR or BLRAA/BLRAB(Z). */
static __always_inline bool follows_call(__u64 return_address)
{
	__u32 insn;

	if (bpf_probe_read_user(&insn, sizeof(insn), (void *)(return_address - sizeof(insn))))
		return false;
	return (insn & 0xfc000000) == 0x94000000 || (insn & 0xfffffc1f) == 0xd63f0000 ||
	       (insn & 0xfefff800) == 0xd63f0800;
}
#else
#error "stack_walk.bpf.h: no call-instruction check for this architecture"
#endif

/* Whether a return address follows a call and lies in code: checks 2 and 3, or a cache hit. */
static __always_inline bool is_return_address(struct stack_walk_cache *cache, __u64 addr)
{
	__u32 slot = (addr * 0x9e3779b97f4a7c15ULL) >> 57;   /* 7 bits: 128 slots */

	if (!addr)                                            /* an empty slot holds 0 */
		return false;
	if (cache && cache->known_return[slot & (STACK_WALK_KNOWN_RETURNS - 1)] == addr)
		return true;
	if (!follows_call(addr) || !in_code_mapping(cache, addr))
		return false;
	if (cache)
		cache->known_return[slot & (STACK_WALK_KNOWN_RETURNS - 1)] = addr;
	return true;
}

/* Walks the user stack into the per-CPU scratch trace and hashes it. bpf_get_stackid walks
 * the same frame-pointer chain but reads the outermost saved frame pointer, 0 or garbage, and
 * takes a page fault on every call to find out (~400 ns of its ~470 on this VM); this walk
 * stops at a frame pointer that is 0, misaligned, not above the previous one or past the
 * stack's end, so the common stack costs no fault. ips[0] is the probe's own ip (at a
 * uretprobe, the real return address into the caller) and is taken as it is. */
static __always_inline struct stack_trace *walk_user_stack(struct pt_regs *ctx)
{
	__u32 zero = 0, depth = 1;
	struct stack_trace *trace = bpf_map_lookup_elem(&stack_scratch, &zero);
	struct stack_walk_cache *cache = bpf_task_storage_get(&stack_walk_cache,
		bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	__u64 fp = PT_REGS_FP(ctx), floor = PT_REGS_SP(ctx), end, hash;
	struct frame_record frame;

	if (!trace)
		return NULL;
	end = stack_end(cache, floor);
	trace->ips[0] = PT_REGS_IP(ctx);
	hash = 0xcbf29ce484222325ULL ^ trace->ips[0];
	for (int i = 1; i < ALLOC_MAX_STACK_DEPTH; i++) {
		if (fp < floor || fp > end - sizeof(frame) || (fp & 7))
			break;
		if (bpf_probe_read_user(&frame, sizeof(frame), (void *)fp) ||
		    !is_return_address(cache, frame.return_address))
			break;
		trace->ips[i] = frame.return_address;
		hash = (hash ^ frame.return_address) * 0x100000001b3ULL;
		depth++;
		floor = fp + sizeof(frame);
		fp = frame.next_fp;
	}
	trace->depth = depth;   /* ips past it are a previous walk's: never read */
	trace->py_stack_id = -1;   /* with_python_stack (alloc.bpf.c) may join one */
	/* FNV-1a over whole words mixes the high bits poorly: finish with a 64-bit mixer. */
	hash ^= hash >> 33;
	hash *= 0xff51afd7ed558ccdULL;
	hash ^= hash >> 33;
	trace->hash = hash;
	return trace;
}

#endif
