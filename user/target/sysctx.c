// SPDX-License-Identifier: GPL-2.0
#include "target/sysctx.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "target/cgroup2.h"

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
}
