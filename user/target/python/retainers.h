/* What holds a Python type's instances: from instances found in the target's GC lists, up
 * through the containers that refer to them (lists, tuples, dicts) to a module's globals,
 * read with process_vm_readv while the target runs. Bounds in retainers.c and docs/python.md. */
#ifndef MEMTRACE_RETAINERS_H
#define MEMTRACE_RETAINERS_H

#include "model/retainer_report.h"
#include "target/python/detect.h"
#include "target/python/remote.h"

/* Fills r for the instances of the types named type_name (type(o).__name__). Returns 0,
 * -ESRCH when the process is gone, -EAGAIN when the interpreter is not readable, -ENOMEM. */
int py_retainers__find(const struct py_target *t, struct remote_mem *m, const char *type_name,
		       struct retainer_report *r);

#endif
