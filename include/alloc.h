/* Structs shared by bpf/alloc.bpf.c and the user-space loader: plain data, no includes. */
#ifndef MEMTRACE_ALLOC_H
#define MEMTRACE_ALLOC_H

#define ALLOC_SIZE_BUCKETS 48      /* log2 buckets: bucket b counts sizes in [2^b, 2^(b+1)) */
#define ALLOC_MAX_STACK_DEPTH 32
#define OUTSTANDING_MAX_LEVELS 16  /* levels of the outstanding map (alloc_tracer.c sizes them) */
/* Lifetimes of freed blocks, log2 buckets of microseconds: bucket 0 counts lifetimes under
 * 1 us, bucket b in 1..30 those in [2^(b-1), 2^b) us, bucket 31 those of 2^30 us (18 min)
 * or more (user/analysis/lifetimes.h). */
#define LIFETIME_BUCKETS 32

/* The native counters, defined once: X(name, what it counts). This list makes the BPF
 * struct below, the loader's totals, their sums and differences and the JSON keys
 * (docs/json.md): a new counter is one line here and its update in bpf/alloc.bpf.c. */
#define NATIVE_COUNTERS(X) \
	X(allocs, "successful malloc-family calls") \
	X(frees, "frees of allocations made since attach") \
	X(frees_untracked, "frees of blocks allocated before attach") \
	X(frees_dropped_or_untracked, "unmatched frees once allocations were dropped: of a " \
	  "dropped block or of one allocated before attach") \
	X(failed_allocs, "allocator returned NULL") \
	X(bytes_allocated, "requested bytes of the allocations") \
	X(bytes_freed, "requested bytes of the frees matched") \
	X(dropped, "allocations not recorded: outstanding map full") \
	X(bytes_dropped, "their requested bytes") \
	X(stack_dropped, "stacks not recorded: stack map full or collision")

/* Per traced process, per CPU: summed by the loader. */
struct native_stats {
#define NATIVE_FIELD(name, doc) unsigned long long name;
	NATIVE_COUNTERS(NATIVE_FIELD)
#undef NATIVE_FIELD
	unsigned long long size_hist[ALLOC_SIZE_BUCKETS];
};

/* Per traced process, per CPU: memory-mapping syscalls, counted in the kernel at the syscall. */
/* The mapping counters, likewise: X(sign, name), sign u or s (brk_growth: the net heap
 * growth through brk since attach, may be negative). */
#define MMAP_COUNTERS(X) \
	X(u, mmaps) \
	X(u, munmaps) \
	X(u, mremaps) \
	X(u, brks) \
	X(u, bytes_mapped) \
	X(u, bytes_unmapped) \
	X(s, brk_growth) \
	X(u, growth_dropped)
#define MMAP_STAT_u unsigned long long
#define MMAP_STAT_s long long

struct mmap_stats {
#define MMAP_FIELD(sign, name) MMAP_STAT_##sign name;
	MMAP_COUNTERS(MMAP_FIELD)
#undef MMAP_FIELD
};
/* What made the heap grow (heap_growth): brk moved up, a pymalloc arena or another large
 * anonymous mapping was made. Rare events, attributed to the native and Python stacks of the
 * thread that made them, in every mode. */
enum heap_growth_kind {
	HEAP_GROWTH_BRK,
	HEAP_GROWTH_ARENA,          /* an anonymous mapping of the interpreter's arena size */
	HEAP_GROWTH_MMAP,           /* another anonymous mapping of HEAP_GROWTH_MMAP_MIN or more */
	HEAP_GROWTH_KINDS,
};
#define HEAP_GROWTH_MMAP_MIN (64ul << 10)

struct heap_growth_key {
	unsigned int tgid;
	unsigned int kind;
	int native_stack_id;        /* in `stacks`; < 0: none */
	int py_stack_id;            /* in `py_stacks`; < 0: none */
};

struct heap_growth_stats {
	unsigned long long bytes;
	unsigned long long events;
};

struct outstanding_key {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long addr;
};

struct outstanding_alloc {
	unsigned long long size;
	unsigned long long timestamp_ns;    /* CLOCK_MONOTONIC; 0 with --no-stacks and no --leak-age */
	int stack_id;                       /* < 0: no stack recorded */
	unsigned int pad;
};

/* A user stack as walked by the BPF side: depth return addresses, innermost first, and in a
 * Python thread the Python stack it ran (part of the stack's identity: the same native
 * frames under two Python lines are two stacks). */
struct stack_trace {
	unsigned long long hash;
	unsigned int depth;
	int py_stack_id;                    /* in `py_stacks`; < 0: none */
	unsigned long long ips[ALLOC_MAX_STACK_DEPTH];
};

struct stack_key {
	unsigned int tgid;
	int stack_id;
};

/* Live allocations per allocating stack: updated on alloc and on free, so leaks by stack
 * need no walk over every outstanding allocation. */
struct stack_stats {
	unsigned long long hash;            /* the stack's, as in struct stack_trace */
	unsigned long long allocs;
	unsigned long long frees;
	unsigned long long bytes_allocated;
	unsigned long long bytes_freed;
	/* Lifetimes and pools, counted at the same updates: frees within --temporary-ms of the
	 * allocation, the sum of lifetimes, the most blocks live at once (allocs - frees at an
	 * allocation; concurrent threads may miss a maximum by a few) and the requested sizes. */
	unsigned long long temporary;
	unsigned long long lifetime_ns_total;
	unsigned long long peak_live;
	unsigned long long size_min, size_max;
	unsigned long long lifetime_hist[LIFETIME_BUCKETS];
};

/* -f: a traced process forked a new process. */
struct fork_event {
	unsigned int parent_tgid;
	unsigned int child_tgid;
};

#endif
