/* When and by how much the outstanding map grows (alloc_tracer.c adds the levels): plain
 * arithmetic, kept apart to be unit-tested. */
#ifndef MEMTRACE_OUTSTANDING_GROWTH_H
#define MEMTRACE_OUTSTANDING_GROWTH_H

#include <stdbool.h>
#include <stdint.h>

/* The first level: 4 MiB of buckets, room for most programs without any growth. */
#define OUTSTANDING_FIRST_LEVEL 262144u

/* The size of the next level, each twice the last, up to max_entries in all; 0: no more. */
static inline uint32_t outstanding_growth__next_size(uint64_t capacity, uint32_t last_size,
						     uint32_t max_entries)
{
	uint64_t size = last_size ? 2ull * last_size : OUTSTANDING_FIRST_LEVEL;

	if (capacity >= max_entries)
		return 0;
	if (size > max_entries - capacity)
		size = max_entries - capacity;
	return (uint32_t)size;
}

/* A level is added when the newest one is about half full, counting every entry as if it sat
 * there: the other half is the time the loader has to add the next one before drops. */
static inline bool outstanding_growth__due(int64_t entries, uint64_t capacity, uint32_t last_size)
{
	return entries >= 0 && (uint64_t)entries >= capacity - last_size / 2;
}

#endif
