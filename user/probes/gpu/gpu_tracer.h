/* GPU memory from outside: user half of bpf/gpu.bpf.c (docs/gpu.md). */
#ifndef MEMTRACE_GPU_TRACER_H
#define MEMTRACE_GPU_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/gpu_report.h"
#include "target/procmaps.h"
#include "target/symtab_cache.h"

struct gpu_tracer;

struct gpu_tracer_opts {
	bool stacks;                 /* walk a stack per allocation */
	uint32_t max_processes;      /* entries of the per-process maps */
	/* The alloc tracer's maps, shared so that one symbolizer names every stack (-1: none). */
	int stacks_fd, py_configs_fd, py_stacks_fd;
};

/* Loads the programs (nothing is attached until a process maps a CUDA library). Returns 0
 * or -errno. */
int gpu_tracer__open(struct gpu_tracer **out, const struct gpu_tracer_opts *opts,
		     struct symtab_cache *cache);
/* Probes the CUDA libraries among maps (pid's mappings) not probed in pid yet: libcudart.so*
 * (the runtime), libcuda.so* (the driver), libc10_cuda.so* (PyTorch's caching allocator:
 * USDT pytorch:malloc/free, else its c10 functions). Returns how many files were probed now,
 * or -errno (printed). */
int gpu_tracer__scan(struct gpu_tracer *t, pid_t pid, const struct procmaps *maps);
/* The same for a process about to run (-- COMMAND): the canonical paths of the libraries it
 * will map (target/needed_libraries.h), probed before it runs. */
int gpu_tracer__attach_files(struct gpu_tracer *t, pid_t pid, char *const *paths, size_t count);
/* Reads every process's counters at once: once per poll, before gpu_tracer__report. */
int gpu_tracer__collect(struct gpu_tracer *t);
/* pid's figures as of the last collect; NULL when no CUDA library is probed in pid. With
 * stacks, its allocating stacks too (not symbolized: frames NULL, depth 0); they are freed
 * at the next report or release. */
struct gpu_report *gpu_tracer__report(struct gpu_tracer *t, pid_t pid, bool stacks);
/* Detaches pid's probes and deletes its entries from every map. */
void gpu_tracer__release(struct gpu_tracer *t, pid_t pid);
void gpu_tracer__destroy(struct gpu_tracer *t);

#endif
