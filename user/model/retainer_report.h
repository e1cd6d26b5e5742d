/* What holds a leaking Python type's instances: the top retainer paths, from a module
 * global down to the type, with how many instances each holds. Plain data for the outputs. */
#ifndef MEMTRACE_RETAINER_REPORT_H
#define MEMTRACE_RETAINER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RETAINER_PATHS_MAX 4
#define RETAINER_PATH_LEN 192

struct retainer_path {
	char path[RETAINER_PATH_LEN]; /* "leaky_module._SESSIONS (list) → Session" */
	uint64_t count;               /* instances held along it (scaled up when sampled) */
};

struct retainer_report {
	bool known;                   /* a lookup ran (census mode, a Python type) */
	bool partial;                 /* a bound was hit or the heap changed under the walk */
	uint64_t instances;           /* instances of the type found in the GC lists */
	uint64_t sampled;             /* of which followed up (at most the sample bound) */
	struct retainer_path paths[RETAINER_PATHS_MAX]; /* most instances first */
	size_t count;
};

#endif
