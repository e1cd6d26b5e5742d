// SPDX-License-Identifier: GPL-2.0
#include "target/procinfo.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CAP_SYS_ADMIN 21
#define CAP_PERFMON 38
#define CAP_BPF 39
#define PF_KTHREAD 0x00200000    /* include/linux/sched.h */

/* /proc/PID/stat after the command name, which may itself hold spaces and parentheses. */
static bool read_stat_tail(pid_t pid, char *buf, size_t size, const char **tail)
{
	char path[64];
	size_t n;
	FILE *f;
	char *close_paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	if (!close_paren || close_paren[1] != ' ')
		return false;
	*tail = close_paren + 2;
	return true;
}

uint64_t procinfo__start_time(pid_t pid)
{
	char buf[1024];
	const char *tail;
	uint64_t start = 0;

	/* Field 22; the tail starts at field 3 (state). */
	if (!read_stat_tail(pid, buf, sizeof(buf), &tail) ||
	    sscanf(tail, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
		   "%*d %" SCNu64, &start) != 1)
		return 0;
	return start;
}

bool procinfo__alive(pid_t pid)
{
	char buf[1024];
	const char *tail;

	return read_stat_tail(pid, buf, sizeof(buf), &tail) && tail[0] != 'Z' && tail[0] != 'X';
}

bool procinfo__comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

pid_t procinfo__tgid(pid_t pid)
{
	char path[64], line[256];
	int tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

bool procinfo__is_kernel_thread(pid_t pid)
{
	char buf[1024];
	const char *tail;
	unsigned int flags;

	/* Field 9; the tail starts at field 3 (state). */
	return read_stat_tail(pid, buf, sizeof(buf), &tail) &&
	       sscanf(tail, "%*c %*d %*d %*d %*d %*d %u", &flags) == 1 && (flags & PF_KTHREAD);
}

uint64_t procinfo__rss_bytes(pid_t pid)
{
	char path[64];
	uint64_t pages = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%*u %" SCNu64, &pages) != 1)
		pages = 0;
	fclose(f);
	return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

bool procinfo__can_trace(void)
{
	char line[256];
	uint64_t caps = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, &caps) == 1)
			break;
	fclose(f);
	if (caps & (1ull << CAP_SYS_ADMIN))
		return true;
	return (caps & (1ull << CAP_BPF)) && (caps & (1ull << CAP_PERFMON));
}
