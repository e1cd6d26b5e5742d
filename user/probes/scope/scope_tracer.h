/* Scopes' discovery: user half of bpf/scope.bpf.c. Tells of each process that starts or
 * runs a new program inside the scope (a set of cgroup v2 ids, or the whole host). */
#ifndef MEMTRACE_SCOPE_TRACER_H
#define MEMTRACE_SCOPE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct scope_tracer;

/* Loads and attaches the fork and exec tracepoints; cgroup_ids: the scope's cgroups (and so
 * their descendants), ignored with whole_host. Returns an exit_code, with its one line. */
int scope_tracer__open(struct scope_tracer **out, bool whole_host, const uint64_t *cgroup_ids,
		       size_t count);
/* Calls fn for each process seen since the last drain (exec: it ran a new program). */
typedef void (*scope_process_fn)(void *ctx, pid_t pid, bool exec);
void scope_tracer__drain(struct scope_tracer *t, scope_process_fn fn, void *ctx);
/* Events the ring buffer had no room for, since open. */
uint64_t scope_tracer__dropped(const struct scope_tracer *t);
void scope_tracer__destroy(struct scope_tracer *t);

#endif
