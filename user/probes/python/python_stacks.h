/* Python stacks of a traced interpreter: the loader half of bpf/python_stack.bpf.h. Tells
 * the BPF walk where a process's thread list is and how its version lays out threads and
 * frames, and turns the stacks it stored into named frames. */
#ifndef MEMTRACE_PYTHON_STACKS_H
#define MEMTRACE_PYTHON_STACKS_H

#include <stdbool.h>

#include "model/python_stack.h"
#include "target/python/detect.h"
#include "target/python/pycode.h"

/* Writes t's walk configuration into the py_stack_configs map (fd), walking at most depth
 * frames. False (nothing written) when the interpreter state cannot be read. */
bool python_stacks__configure(int configs_fd, const struct py_target *t, unsigned int depth);
/* Stack id of the py_stacks map (fd), named: out->frames malloc'ed. False: unknown id. */
bool python_stacks__read(int stacks_fd, int id, const struct py_target *t,
			 struct remote_mem *mem, struct pycode_cache *names,
			 struct python_stack *out);

#endif
