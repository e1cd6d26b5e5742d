/* The native allocator tracer: user half of bpf/alloc.bpf.c. */
#ifndef MEMTRACE_ALLOC_TRACER_H
#define MEMTRACE_ALLOC_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/report.h"
#include "target/symtab_cache.h"

struct alloc_tracer_opts {
	uint32_t max_entries;        /* outstanding allocations kept in the kernel, at most */
	uint32_t stack_entries;      /* distinct allocation stacks */
	bool stacks;                 /* record a user stack per allocation */
	bool ages;                   /* timestamp each allocation (--leak-age) */
	uint64_t temporary_ns;       /* --temporary-ms: a shorter-lived block is temporary */
	uint64_t py_stack_sample;    /* --py-stack-sample: mean bytes between Python walks; 0: all */
	bool allocator_probes;       /* false (--light): only the mapping syscalls are counted */
	bool windowed;               /* the default mode: allocator probes only in exact windows */
	bool follow_forks;           /* -f: new processes forked by traced ones are traced too */
	uint32_t max_processes;      /* entries of the per-process maps */
};

struct alloc_tracer;

/* Opens and loads the BPF programs. Returns an exit_code (EXIT_OK on success) and prints
 * the one-line reason on failure. */
int alloc_tracer__open(struct alloc_tracer **out, const struct alloc_tracer_opts *opts,
		       struct symtab_cache *cache);
/* Attaches the allocator probes for pid. modules lists the files to probe (NULL: every
 * mapped file that defines malloc, read from /proc/PID/maps). Returns an exit_code. */
int alloc_tracer__attach(struct alloc_tracer *t, pid_t pid, const char *const *modules);
/* The default mode: attaches pid's allocator probes (the files it maps now) for a window;
 * returns an exit_code. */
int alloc_tracer__window_open(struct alloc_tracer *t, pid_t pid);
/* Detaches them; blocks allocated since young_since_ns (CLOCK_MONOTONIC) and still live are
 * forgotten (their free will not be seen) and count as freed from now on; older ones stay
 * live until a later window sees their free. Returns 0 or -errno. */
int alloc_tracer__window_close(struct alloc_tracer *t, pid_t pid, uint64_t young_since_ns);
bool alloc_tracer__windowed(const struct alloc_tracer *t);
/* -f: waits up to timeout_ms for traced processes to fork new processes, calling on_fork
 * for each (the child is already counted in the kernel; on_fork attaches its probes).
 * Returns how many were seen, or -errno (-EINTR when a signal came). */
typedef void (*alloc_fork_fn)(void *ctx, pid_t parent, pid_t child);
int alloc_tracer__wait_forks(struct alloc_tracer *t, int timeout_ms, alloc_fork_fn on_fork,
			     void *ctx);
/* Reads every traced process's counters at once (one batched read of each per-process map):
 * once per poll, before alloc_tracer__read. Returns 0 or -errno. */
int alloc_tracer__collect(struct alloc_tracer *t);
/* pid's cumulative totals since attach, as of the last collect (zero if none counted). */
void alloc_tracer__read(const struct alloc_tracer *t, pid_t pid, struct native_totals *native,
			struct mmap_totals *mmap);
/* pid is gone and summarized: its probes detached, its entries deleted from every map
 * (counters, outstanding allocations, stack counts). */
void alloc_tracer__release(struct alloc_tracer *t, pid_t pid);
/* The fd of one of the BPF maps (native_stats, stacks, stack_stats), for the frames tracer
 * and alloc_stacks.c; -1 if there is no such map. */
int alloc_tracer__map_fd(struct alloc_tracer *t, const char *name);
/* The levels of the outstanding map (struct outstanding_key -> struct outstanding_alloc
 * hash maps) now: up to max fds; returns how many. */
int alloc_tracer__outstanding_fds(struct alloc_tracer *t, int *fds, size_t max);
/* Whether the mapping syscalls are counted (tracefs was there). */
bool alloc_tracer__mappings_traced(const struct alloc_tracer *t);
/* Whether the malloc family is probed (not --light). */
bool alloc_tracer__allocator_probed(const struct alloc_tracer *t);
void alloc_tracer__destroy(struct alloc_tracer *t);

/* Sets up libbpf's message callback: everything with verbose, else only the last warnings,
 * kept for alloc_tracer__open to show when the verifier rejects a program. */
void bpf_messages__init(bool verbose);

#endif
