/* System context of a snapshot: PSS (smaps_rollup) and the cgroup's memory. */
#ifndef MEMTRACE_SYSCTX_H
#define MEMTRACE_SYSCTX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct system_context {
	bool pss_known;
	uint64_t pss_bytes;
	bool cgroup_known;
	char cgroup[512];
	uint64_t cgroup_current;
	bool cgroup_max_known;       /* false: "max" (no limit) */
	uint64_t cgroup_max;
};

void sysctx__read(pid_t pid, struct system_context *ctx);

#endif
