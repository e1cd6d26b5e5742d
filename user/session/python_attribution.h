/* Python stacks joined to the native allocation stacks of a report: the stack ids carry
 * the Python stack their thread ran (bpf/alloc.bpf.c), named by the Python tracer. */
#ifndef MEMTRACE_PYTHON_ATTRIBUTION_H
#define MEMTRACE_PYTHON_ATTRIBUTION_H

#include <stddef.h>
#include <sys/types.h>

#include "model/report.h"

struct alloc_tracer;
struct python_tracer;

/* Names the Python stacks of these stacks now, while pid can be read (remembered after). */
void python_attribution__name(struct python_tracer *pt, struct alloc_tracer *at, pid_t pid,
			      const struct stack_report *stacks, size_t count);
/* st->python: a copy of its Python stack, if it has one. */
void python_attribution__fill(struct python_tracer *pt, struct alloc_tracer *at, pid_t pid,
			      struct stack_report *st);

#endif
