/* Python stacks walked in BPF (bpf/python_stack.bpf.h) and read back by the loader: plain
 * data, no includes. A frame is what the interpreter itself keeps: its code object and where
 * it is in its bytecode; user space names them (user/target/python/pycode.h). */
#ifndef MEMTRACE_PYTHON_STACK_H
#define MEMTRACE_PYTHON_STACK_H

#define PY_STACK_MAX_DEPTH 64      /* --py-stack-depth's ceiling */
#define PY_STACK_DEFAULT_DEPTH 32
#define PY_STACK_MAX_THREADS 32    /* thread states compared with the current thread's */

/* Per traced Python process: where its thread list is and the version's offsets (filled from
 * struct py_stack_offsets, user/target/python/pyversion.h). */
struct py_stack_config {
	unsigned long long interp_addr;          /* the main PyInterpreterState */
	unsigned int interp_threads_head;
	unsigned int thread_next;
	unsigned int thread_id;
	unsigned int thread_frame;
	int cframe_current_frame;                /* -1: thread_frame is the frame itself */
	unsigned int interpreter_frames;         /* 1: 3.11+ _PyInterpreterFrame */
	unsigned int frame_back;
	unsigned int frame_code;
	unsigned int frame_instr;
	int frame_owner;                         /* -1: none */
	int frame_owner_cstack;                  /* -1: none */
	unsigned int max_depth;                  /* <= PY_STACK_MAX_DEPTH */
	unsigned int pad;
	unsigned long long arena_size;           /* pymalloc's: an arena's mapping is heap growth */
};

/* One Python frame as read: the code object, and f_lasti (<= 3.10) or the instruction
 * pointer (3.11+) (pycode__resolve turns either into a line). */
struct py_frame_ref {
	unsigned long long code;
	unsigned long long instr;
};

/* A thread's Python stack, innermost first. truncated: frames beyond max_depth were cut. */
struct py_stack {
	unsigned long long hash;
	unsigned int depth;
	unsigned int truncated;
	struct py_frame_ref frames[PY_STACK_MAX_DEPTH];
};

#endif
