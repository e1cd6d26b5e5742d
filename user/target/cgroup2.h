/* Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup on a unified host,
 * /sys/fs/cgroup/unified on a hybrid one), and a process's place in it. */
#ifndef MEMTRACE_CGROUP2_H
#define MEMTRACE_CGROUP2_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The cgroup2 mount point from /proc/self/mountinfo, read once; NULL: none mounted. */
const char *cgroup2__mount(void);
/* pid's cgroup v2 path (the "0::" line of /proc/PID/cgroup, "/..."); false: unknown. */
bool cgroup2__path_of(pid_t pid, char *buf, size_t size);

#endif
