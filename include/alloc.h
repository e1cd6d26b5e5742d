/* Structs shared by bpf/alloc.bpf.c and the user-space loader: plain data, no includes. */
#ifndef MEMTRACE_ALLOC_H
#define MEMTRACE_ALLOC_H

#define ALLOC_SIZE_BUCKETS 48      /* log2 buckets: bucket b counts sizes in [2^b, 2^(b+1)) */
#define ALLOC_MAX_STACK_DEPTH 32
#define OUTSTANDING_MAX_LEVELS 16  /* levels of the outstanding map (alloc_tracer.c sizes them) */

/* Per traced process, per CPU: summed by the loader. */
struct native_stats {
	unsigned long long allocs;          /* successful malloc-family calls */
	unsigned long long frees;           /* frees of allocations made since attach */
	unsigned long long frees_untracked; /* frees of blocks allocated before attach */
	unsigned long long frees_dropped_or_untracked; /* unmatched frees once allocations were
							 * dropped: of a dropped block or of one
							 * allocated before attach */
	unsigned long long failed_allocs;   /* allocator returned NULL */
	unsigned long long bytes_allocated;
	unsigned long long bytes_freed;
	unsigned long long dropped;         /* allocations not recorded: outstanding map full */
	unsigned long long bytes_dropped;   /* their requested bytes */
	unsigned long long stack_dropped;   /* stacks not recorded: stack map full or collision */
	unsigned long long size_hist[ALLOC_SIZE_BUCKETS];
};

/* Per traced process, per CPU: memory-mapping syscalls, counted in the kernel at the syscall. */
struct mmap_stats {
	unsigned long long mmaps;
	unsigned long long munmaps;
	unsigned long long mremaps;
	unsigned long long brks;
	unsigned long long bytes_mapped;
	unsigned long long bytes_unmapped;
	long long brk_growth;               /* net heap growth through brk since attach */
};

struct outstanding_key {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long addr;
};

struct outstanding_alloc {
	unsigned long long size;
	unsigned long long timestamp_ns;    /* CLOCK_MONOTONIC; 0 without --leak-age */
	int stack_id;                       /* < 0: no stack recorded */
	unsigned int pad;
};

/* A user stack as walked by the BPF side: depth return addresses, innermost first. */
struct stack_trace {
	unsigned long long hash;
	unsigned int depth;
	unsigned int pad;
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
};

/* -f: a traced process forked a new process. */
struct fork_event {
	unsigned int parent_tgid;
	unsigned int child_tgid;
};

#endif
