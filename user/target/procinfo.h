/* Small facts about a process, read from /proc. */
#ifndef MEMTRACE_PROCINFO_H
#define MEMTRACE_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Start time in clock ticks since boot: with the PID it names one process, even after the
 * PID is reused. 0 if the process does not exist. */
uint64_t procinfo__start_time(pid_t pid);
/* True while the process exists and is not a zombie. */
bool procinfo__alive(pid_t pid);
bool procinfo__comm(pid_t pid, char *buf, size_t size);
uint64_t procinfo__rss_bytes(pid_t pid);
/* The thread group (process) that pid is a thread of: pid itself when pid names a
 * process; 0 when it does not exist. */
pid_t procinfo__tgid(pid_t pid);
/* A kernel thread (PF_KTHREAD): it has no user memory to trace. */
bool procinfo__is_kernel_thread(pid_t pid);
/* Effective capabilities allow loading BPF and attaching probes. */
bool procinfo__can_trace(void);

#endif
