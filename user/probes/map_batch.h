/* Reading a whole BPF hash map in batches (BPF_MAP_LOOKUP_BATCH): two syscalls per entry
 * (next key, lookup) cost ~1 us an entry; a batch of 4096 costs one. */
#ifndef MEMTRACE_MAP_BATCH_H
#define MEMTRACE_MAP_BATCH_H

#include <stddef.h>

/* Called for every entry; a non-zero return stops the walk and is returned. For a per-CPU
 * map, value_size is the whole per-CPU array: ncpus * round_up(value size, 8). */
typedef int (*map_entry_fn)(const void *key, const void *value, void *ctx);

/* Returns 0, or -errno. */
int map_batch__for_each(int fd, size_t key_size, size_t value_size, map_entry_fn each, void *ctx);

/* Deletes every entry whose key begins with tgid (as the keys of the per-process maps do).
 * Returns how many, or -errno. */
int map_batch__delete_process(int fd, size_t key_size, size_t value_size, unsigned int tgid);

#endif
