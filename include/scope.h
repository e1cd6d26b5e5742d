/* Structs shared by bpf/scope.bpf.c and user/probes/scope/scope_tracer.c: plain data, no
 * includes. */
#ifndef MEMTRACE_SCOPE_H
#define MEMTRACE_SCOPE_H

/* How deep a scope's cgroup may sit below the root, at most (levels checked per event). */
#define SCOPE_MAX_LEVELS 32

enum scope_event_kind {
	SCOPE_FORK = 1,                 /* a new process (not a thread) in the scope */
	SCOPE_EXEC = 2,                 /* a process of the scope ran a new program */
};

struct scope_event {
	unsigned int tgid;
	unsigned int kind;              /* enum scope_event_kind */
};

#endif
