/* What the kernel said of a process its OOM killer picked (tracepoint oom/mark_victim). */
#ifndef MEMTRACE_MODEL_OOM_VICTIM_H
#define MEMTRACE_MODEL_OOM_VICTIM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct oom_victim {
	pid_t pid;                   /* the process (thread group) */
	bool sizes_known;            /* older kernels' tracepoint gives the pid only */
	uint64_t total_vm_bytes, anon_rss_bytes, file_rss_bytes, shmem_rss_bytes;
	int oom_score_adj;
};

#endif
