// SPDX-License-Identifier: GPL-2.0
#include "target/cgroup2.h"

#include <stdio.h>
#include <string.h>

/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
static bool find_mount(char *out, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], point[4096];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *dash = strstr(line, " - ");

		if (!dash || strncmp(dash + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 && strlen(point) < size) {
			snprintf(out, size, "%s", point);   /* octal escapes: not in mount paths we use */
			found = true;
		}
	}
	fclose(f);
	return found;
}

const char *cgroup2__mount(void)
{
	static char mount[4096];
	static int state;        /* 0 not read, 1 found, -1 none */

	if (!state)
		state = find_mount(mount, sizeof(mount)) ? 1 : -1;
	return state > 0 ? mount : NULL;
}

bool cgroup2__path_of(pid_t pid, char *buf, size_t size)
{
	char path[64], line[4096];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (!(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		if (strlen(line + 3) < size) {
			snprintf(buf, size, "%s", line + 3);
			found = true;
		}
	}
	fclose(f);
	return found;
}
