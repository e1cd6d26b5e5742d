/* The pure half of the retainer lookup: naming a path from a module global down to a type,
 * tallying instances per path and ranking them. No I/O, unit-tested. */
#ifndef MEMTRACE_RETAINER_PATHS_H
#define MEMTRACE_RETAINER_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/retainer_report.h"

/* The distinct paths one lookup tallies; instances on further paths are counted in dropped. */
#define RETAINER_TALLY_MAX 256
#define RETAINER_UNRESOLVED "(no module global found)"

struct retainer_tally {
	struct retainer_path *rows;
	size_t count, cap;
	uint64_t dropped;            /* instances whose path did not fit RETAINER_TALLY_MAX */
};

/* "module.global (types[0]) → types[1] → ... → target"; with no types, "module.global →
 * target". types: the containers from the global's value down to the target's holder. */
void retainer_path__format(char *out, size_t size, const char *module, const char *global,
			   const char *const *types, size_t ntypes, const char *target);
/* Counts n instances on path. False when the tally is full (counted in dropped). */
bool retainer_tally__add(struct retainer_tally *t, const char *path, uint64_t n);
/* The top paths by count (ties by path) into r, counts scaled from sampled to instances. */
void retainer_tally__rank(struct retainer_tally *t, uint64_t instances, uint64_t sampled,
			  struct retainer_report *r);
void retainer_tally__free(struct retainer_tally *t);

#endif
