// SPDX-License-Identifier: GPL-2.0
#include "target/sysctx.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "target/cgroup2.h"

#define MEMORY_V1_MOUNT "/sys/fs/cgroup/memory"

static bool read_u64_file(const char *path, uint64_t *v, bool *is_max)
{
	FILE *f = fopen(path, "re");
	char buf[64];
	bool ok = false;

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f)) {
		if (is_max)
			*is_max = !strncmp(buf, "max", 3);
		ok = (is_max && *is_max) || sscanf(buf, "%" SCNu64, v) == 1;
	}
	fclose(f);
	return ok;
}

/* pid's memory cgroup on a v1 hierarchy (the "N:memory:/path" line of /proc/PID/cgroup). */
static bool memory_v1_path(pid_t pid, char *buf, size_t size)
{
	char path[64], line[600];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (!(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *controllers = strchr(line, ':');
		char *cg = controllers ? strchr(controllers + 1, ':') : NULL;

		if (!cg || strncmp(controllers + 1, "memory:", 7))
			continue;
		cg[1 + strcspn(cg + 1, "\n")] = 0;
		snprintf(buf, size, "%s", cg + 1);
		found = true;
	}
	fclose(f);
	return found;
}

/* Where the memory controller is still on cgroup v1 (a hybrid host): its usage and limit,
 * a limit near 2^63 meaning none. */
static void read_memory_v1(pid_t pid, struct system_context *ctx)
{
	char cg[512], path[700];
	uint64_t limit;

	if (!memory_v1_path(pid, cg, sizeof(cg)))
		return;
	snprintf(path, sizeof(path), "%s%s/memory.usage_in_bytes", MEMORY_V1_MOUNT, cg);
	if (!read_u64_file(path, &ctx->cgroup_current, NULL))
		return;
	ctx->cgroup_known = true;
	/* The v2 path stays where there is one: it names the container and the pod. */
	if (!ctx->cgroup[0])
		snprintf(ctx->cgroup, sizeof(ctx->cgroup), "%s", cg);
	snprintf(path, sizeof(path), "%s%s/memory.limit_in_bytes", MEMORY_V1_MOUNT, cg);
	ctx->cgroup_max_known = read_u64_file(path, &limit, NULL) && limit < (1ull << 62);
	ctx->cgroup_max = ctx->cgroup_max_known ? limit : 0;
}

void sysctx__read(pid_t pid, struct system_context *ctx)
{
	char path[4700], line[512];
	const char *mount;
	FILE *f;

	memset(ctx, 0, sizeof(*ctx));
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	if ((f = fopen(path, "re"))) {
		uint64_t kb;

		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "Pss: %" SCNu64 " kB", &kb) == 1) {
				ctx->pss_known = true;
				ctx->pss_bytes = kb * 1024;
				break;
			}
		}
		fclose(f);
	}
	cgroup2__path_of(pid, ctx->cgroup, sizeof(ctx->cgroup));
	mount = cgroup2__mount();
	if (ctx->cgroup[0] && mount) {
		bool is_max = false;

		snprintf(path, sizeof(path), "%s%s/memory.current", mount, ctx->cgroup);
		ctx->cgroup_known = read_u64_file(path, &ctx->cgroup_current, NULL);
		snprintf(path, sizeof(path), "%s%s/memory.max", mount, ctx->cgroup);
		ctx->cgroup_max_known = read_u64_file(path, &ctx->cgroup_max, &is_max) && !is_max;
	}
	if (!ctx->cgroup_known)
		read_memory_v1(pid, ctx);
}
