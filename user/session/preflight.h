/* Before anything is loaded: the targets exist, we may trace, the kernel can do it. */
#ifndef MEMTRACE_PREFLIGHT_H
#define MEMTRACE_PREFLIGHT_H

#include "cli/cli.h"

/* EXIT_OK, or the exit code of the first problem, with its one line on stderr. */
int preflight__check(const struct options *opts);

#endif
