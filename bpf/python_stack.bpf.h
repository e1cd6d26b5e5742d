/* Python stacks walked in BPF, for any program that runs in a traced Python thread (uprobes,
 * syscall tracepoints): walk_python_stack finds the current thread's PyThreadState, follows
 * its frame chain and stores the stack once in py_stacks, as the native walk stores its own.
 *
 * The thread state: PyThreadState.thread_id is what pthread_self() returned on that thread,
 * and on x86-64 glibc pthread_self() is the thread pointer, the task's fs base. So the walk
 * compares the fs base with each thread state of the main interpreter's list (at most
 * PY_STACK_MAX_THREADS of them) and remembers the match per thread (task storage), checked
 * again by one read each time. This needs no TLS offsets and no symbol beyond _PyRuntime, the
 * same on every version 3.8 to 3.13; a thread without a thread state (a C thread) has no
 * Python stack. Frames: PyFrameObject up to 3.10, _PyInterpreterFrame from 3.11 (3.12+
 * shim frames owned by the C stack skipped), code object and instruction recorded; user space
 * names them (user/target/python/pycode.c). The offsets come per process from the loader
 * (include/python_stack.h). */
#ifndef MEMTRACE_PYTHON_STACK_BPF_H
#define MEMTRACE_PYTHON_STACK_BPF_H

#include "python_stack.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);          /* resized by the loader (--max-processes) */
	__type(key, __u32);
	__type(value, struct py_stack_config);
} py_stack_configs SEC(".maps");

/* Python stacks by id (the hash folded to 31 bits, open addressing as for native stacks). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct py_stack);
} py_stacks SEC(".maps");

/* The walk in progress, per CPU: the stack and what each frame step needs (bpf_loop's
 * callback reads it here). */
struct py_walk {
	struct py_stack stack;
	struct py_stack_config cfg;
	__u64 frame;
	__u64 hash;
	__u8 chunk[128];             /* the frame being read */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct py_walk);
} py_walk_scratch SEC(".maps");

/* Per thread: its PyThreadState as last found. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} py_thread_state SEC(".maps");

#define PY_STACK_ID_PROBES 4
#define PY_STACK_NONE (-1)          /* not a Python thread, or no frame */
#define PY_STACK_LOST (-2)          /* a stack, not stored: py_stacks full */

static __always_inline __u64 read_user_u64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

static __always_inline __u64 current_thread_pointer(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

#if defined(__TARGET_ARCH_x86)
	return task->thread.fsbase;
#elif defined(__TARGET_ARCH_arm64)
	return task->thread.uw.tp_value;
#else
#error "python_stack.bpf.h: no thread pointer for this architecture"
#endif
}

/* The current thread's PyThreadState, or 0. */
static __always_inline __u64 current_thread_state(const struct py_stack_config *cfg)
{
	__u64 self = current_thread_pointer();
	__u64 *known = bpf_task_storage_get(&py_thread_state, bpf_get_current_task_btf(), 0,
					    BPF_LOCAL_STORAGE_GET_F_CREATE);
	__u64 ts;

	if (known && *known && read_user_u64(*known + cfg->thread_id) == self)
		return *known;
	ts = read_user_u64(cfg->interp_addr + cfg->interp_threads_head);
	for (int i = 0; i < PY_STACK_MAX_THREADS && ts; i++) {
		if (read_user_u64(ts + cfg->thread_id) == self) {
			if (known)
				*known = ts;
			return ts;
		}
		ts = read_user_u64(ts + cfg->thread_next);
	}
	return 0;
}

/* The innermost frame of a thread state. */
static __always_inline __u64 current_frame(const struct py_stack_config *cfg, __u64 ts)
{
	__u64 frame = read_user_u64(ts + cfg->thread_frame);

	if (cfg->cframe_current_frame >= 0 && frame)
		frame = read_user_u64(frame + cfg->cframe_current_frame);
	return frame;
}

/* The fields the walk reads of a frame all lie in its first PY_FRAME_SPAN bytes (3.8-3.10:
 * f_lasti at 96-104; 3.11+: owner at 69-70): one read per frame, not four. */
#define PY_FRAME_SPAN 112

static __always_inline __u64 frame_u64(const struct py_walk *w, __u32 off)
{
	__u64 v;

	off &= 127;
	if (off > PY_FRAME_SPAN - 8)
		return 0;
	__builtin_memcpy(&v, &w->chunk[off], sizeof(v));
	return v;
}

/* One frame: recorded (or skipped, a shim), then its caller. 1 ends the walk. */
static long python_frame_step(__u32 index, void *unused)
{
	__u32 zero = 0;
	struct py_walk *w = bpf_map_lookup_elem(&py_walk_scratch, &zero);
	__u64 code, instr;
	__u32 depth, off;

	if (!w || !w->frame)
		return 1;
	if (bpf_probe_read_user(w->chunk, PY_FRAME_SPAN, (void *)w->frame))
		return 1;
	w->frame = frame_u64(w, w->cfg.frame_back);
	if (w->cfg.frame_owner >= 0) {
		off = (__u32)w->cfg.frame_owner & 127;
		if (off < PY_FRAME_SPAN && w->chunk[off] == (__u8)w->cfg.frame_owner_cstack)
			return 0;
	}
	depth = w->stack.depth;
	if (depth >= w->cfg.max_depth || depth >= PY_STACK_MAX_DEPTH) {
		w->stack.truncated = 1;
		return 1;
	}
	code = frame_u64(w, w->cfg.frame_code);
	instr = frame_u64(w, w->cfg.frame_instr);
	if (!w->cfg.interpreter_frames)
		instr = (__u64)(__s64)(__s32)instr;       /* f_lasti is an int */
	w->stack.frames[depth & (PY_STACK_MAX_DEPTH - 1)].code = code;
	w->stack.frames[depth & (PY_STACK_MAX_DEPTH - 1)].instr = instr;
	w->hash = (w->hash ^ code) * 0x100000001b3ULL;
	w->hash = (w->hash ^ instr) * 0x100000001b3ULL;
	w->stack.depth = depth + 1;
	return 0;
}

/* Walks into the per-CPU scratch stack; its depth is 0 when there is no Python frame. */
static __always_inline struct py_stack *walk_python_frames(const struct py_stack_config *cfg)
{
	__u32 zero = 0;
	struct py_walk *w = bpf_map_lookup_elem(&py_walk_scratch, &zero);
	__u64 ts, hash;

	if (!w)
		return NULL;
	w->stack.depth = 0;
	w->stack.truncated = 0;
	ts = current_thread_state(cfg);
	if (!ts)
		return &w->stack;
	w->cfg = *cfg;
	w->frame = current_frame(cfg, ts);
	w->hash = 0xcbf29ce484222325ULL;
	/* Shim frames take iterations without taking a slot: a few beyond the depth. */
	bpf_loop(PY_STACK_MAX_DEPTH + 8, python_frame_step, NULL, 0);
	if (w->frame && w->stack.depth >= w->cfg.max_depth)
		w->stack.truncated = 1;
	hash = w->hash ^ w->stack.truncated;
	hash ^= hash >> 33;
	hash *= 0xff51afd7ed558ccdULL;
	hash ^= hash >> 33;
	w->stack.hash = hash;
	return &w->stack;
}

/* The current thread's Python stack in process tgid, stored once: its id, PY_STACK_NONE
 * (not a Python process or thread, or no frame) or PY_STACK_LOST (py_stacks full). A global
 * function: the verifier checks it once, not inlined beside the native walk's loop in every
 * caller (together they pass the verifier's complexity limit). */
__noinline int walk_python_stack(__u32 tgid)
{
	struct py_stack_config *cfg = bpf_map_lookup_elem(&py_stack_configs, &tgid);
	struct py_stack *st, *known;

	if (!cfg)
		return PY_STACK_NONE;
	st = walk_python_frames(cfg);
	if (!st || !st->depth)
		return PY_STACK_NONE;
	for (__u32 probe = 0; probe < PY_STACK_ID_PROBES; probe++) {
		__u32 id = (st->hash + probe) & 0x7fffffff;

		known = bpf_map_lookup_elem(&py_stacks, &id);
		if (known) {
			if (known->hash == st->hash)
				return id;
			continue;
		}
		if (bpf_map_update_elem(&py_stacks, &id, st, BPF_NOEXIST) == 0)
			return id;
		known = bpf_map_lookup_elem(&py_stacks, &id);   /* another CPU stored it first */
		if (known && known->hash == st->hash)
			return id;
		if (!known)
			return PY_STACK_LOST;
	}
	return PY_STACK_LOST;
}

#endif
