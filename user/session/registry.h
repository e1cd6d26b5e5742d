/* The one registry of traced processes: each entry owns what the session keeps per process
 * (its last counters, symbolizer, stack marks, analysis state) from attach until the
 * process is summarized and released. Identity is pid + start time: a PID handed to a
 * newcomer is another process. */
#ifndef MEMTRACE_REGISTRY_H
#define MEMTRACE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "analysis/exact_windows.h"
#include "analysis/window_leaks.h"
#include "model/report.h"
#include "probes/alloc/alloc_stacks.h"
#include "target/symbolizer.h"

struct analysis_process;

struct traced_process {
	pid_t pid;
	uint64_t start_time;         /* /proc/PID/stat's starttime */
	bool is_child;               /* launched by us: reaped with waitpid */
	bool exited;
	int wait_status;             /* is_child and exited: as waitpid gave it */
	uint64_t attach_ns;          /* CLOCK_MONOTONIC: its own trace begins */
	uint64_t exit_ns;            /* when it was seen gone: its trace ends */
	uint64_t last_report_ns;
	char comm[32];
	struct native_totals native; /* at the last report */
	struct mmap_totals mmap;
	struct native_peak peak;     /* the most live memory any report saw */
	struct native_totals last_running; /* at the last report while it ran */
	bool seen_running;
	struct symbolizer sym;
	struct stack_marks marks;    /* bytes allocated per stack at the last interval */
	struct analysis_process *analysis;
	/* The default mode (session/windows.c): its exact windows and what they found. */
	struct exact_windows windows;
	struct window_leaks window_leaks;
	struct stack_marks window_marks;
	bool window_closed;          /* at this poll: its stacks are judged after the read */
	uint64_t forget_again_since; /* the next poll forgets the blocks of the link's last
				      * moments (the kernel may release it a little later) */
};

struct registry {
	struct traced_process **procs;
	size_t count, capacity;
	size_t limit;
};

void registry__init(struct registry *r, size_t limit);
/* A new entry for pid (zeroed but for pid, start time and comm), or NULL when the limit is
 * reached or memory is out. */
struct traced_process *registry__add(struct registry *r, pid_t pid);
struct traced_process *registry__find(const struct registry *r, pid_t pid);
/* Frees the entry and what it owns; the caller has released its probes and map entries. */
void registry__remove(struct registry *r, struct traced_process *p);
void registry__free(struct registry *r);

#endif
