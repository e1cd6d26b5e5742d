/* Which Python types changed most since a process's previous report: the lean JSON interval
 * lines (--json-types) and the live view list those, not the whole census. */
#ifndef MEMTRACE_TYPE_RANK_H
#define MEMTRACE_TYPE_RANK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/python_report.h"

struct type_history;

struct type_history *type_history__new(void);
void type_history__free(struct type_history *h);

/* py's types ranked for pid: order[k] is an index into py->types, the k-th largest change of
 * the live count (either way) since the previous call for pid, ties most live first; a type
 * not in the previous report changed from 0. change[i] is type i's change. Both arrays hold
 * py->type_count. Returns 1; 0 on the first call for pid (nothing to compare with: order and
 * change untouched); -1 with errno when out of memory. The history then holds py's counts. */
int type_history__rank(struct type_history *h, pid_t pid, const struct python_report *py,
		       size_t *order, int64_t *change);
/* The process ended: its counts are dropped (a reused PID starts afresh). */
void type_history__forget(struct type_history *h, pid_t pid);

#endif
