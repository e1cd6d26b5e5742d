/* Growing a heap array by doubling: the one way every list of ours grows. */
#ifndef MEMTRACE_GROW_H
#define MEMTRACE_GROW_H

#include <errno.h>
#include <stdlib.h>

/* Makes room for one more element in *items (count used of *capacity), doubling from 16.
 * Returns 0, or -ENOMEM with *items untouched. */
static inline int grow_for_one(void **items, size_t *capacity, size_t count, size_t elem_size)
{
	size_t cap;
	void *more;

	if (count < *capacity)
		return 0;
	cap = *capacity ? *capacity * 2 : 16;
	more = realloc(*items, cap * elem_size);
	if (!more)
		return -ENOMEM;
	*items = more;
	*capacity = cap;
	return 0;
}

#endif
