/* A scope (--cgroup, --all): which processes it holds now, and which join later (through
 * probes/scope/). The session attaches each with its own collectors. */
#ifndef MEMTRACE_SCOPE_H_SESSION
#define MEMTRACE_SCOPE_H_SESSION

#include <stdbool.h>
#include <sys/types.h>

#include "cli/scope_cli.h"

struct scope;

/* Called for a process of the scope: exec is true when a traced one ran a new program. */
typedef void (*scope_add_fn)(void *ctx, pid_t pid, bool exec);

/* Resolves the --cgroup arguments (one line and exit 15/16/17 when one does not resolve)
 * and loads the discovery tracepoints. Returns an exit_code. */
int scope__open(struct scope **out, const struct scope_options *opts);
/* The processes in the scope now; fn checks scope__wanted for those it does not trace yet
 * (a rescan meets the traced ones again: they cost no look at /proc). */
void scope__scan(struct scope *s, scope_add_fn fn, void *ctx);
/* Those that started (or exec'ed) in the scope since the last call, and those moved into a
 * scope cgroup (a rescan of its cgroup.procs). */
void scope__poll(struct scope *s, scope_add_fn fn, void *ctx);
/* --comm, --exe; never ourselves, never a kernel thread (no executable). */
bool scope__wanted(const struct scope *s, pid_t pid);
/* "cgroup /a, /b" or "the host": for the starting line. */
void scope__describe(const struct scope *s, char *buf, size_t size);
void scope__free(struct scope *s);

#endif
