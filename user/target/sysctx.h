/* System context of a snapshot: PSS (smaps_rollup) and the cgroup's memory: cgroup v2's
 * memory.current and memory.max, or where the memory controller is on a v1 hierarchy (a
 * hybrid host), its memory.usage_in_bytes and memory.limit_in_bytes (cgroup then names the
 * v1 memory cgroup). */
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
