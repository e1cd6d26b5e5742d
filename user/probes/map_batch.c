// SPDX-License-Identifier: GPL-2.0
#include "probes/map_batch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

int map_batch__for_each(int fd, size_t key_size, size_t value_size, map_entry_fn each, void *ctx)
{
	enum { BATCH = 4096 };
	char *keys = malloc(BATCH * key_size), *values = malloc(BATCH * value_size);
	__u32 token = 0;
	bool first = true, last = false;
	int err = keys && values ? 0 : -ENOMEM;

	while (!err && !last) {
		__u32 count = BATCH;

		err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, values, &count,
					   NULL);
		last = err == -ENOENT;   /* the map's end: count holds its last entries */
		if (last)
			err = 0;
		for (__u32 i = 0; !err && i < count; i++)
			err = each(keys + i * key_size, values + i * value_size, ctx);
		first = false;
	}
	free(keys);
	free(values);
	return err;
}

struct process_keys {
	unsigned int tgid;
	size_t key_size;
	char *keys;
	size_t count, capacity;
};

static int collect_if_process(const void *key, const void *value, void *ctx)
{
	struct process_keys *k = ctx;

	(void)value;
	if (*(const unsigned int *)key != k->tgid)
		return 0;
	if (k->count == k->capacity) {
		size_t cap = k->capacity ? k->capacity * 2 : 256;
		char *more = realloc(k->keys, cap * k->key_size);

		if (!more)
			return -ENOMEM;
		k->keys = more;
		k->capacity = cap;
	}
	memcpy(k->keys + k->count++ * k->key_size, key, k->key_size);
	return 0;
}

int map_batch__delete_process(int fd, size_t key_size, size_t value_size, unsigned int tgid)
{
	struct process_keys k = { .tgid = tgid, .key_size = key_size };
	int err = map_batch__for_each(fd, key_size, value_size, collect_if_process, &k);

	/* Deleted after the walk: a batch walk over a map that shrinks under it may skip keys. */
	size_t deleted = 0;

	for (size_t done = 0; !err && done < k.count;) {
		__u32 n = (__u32)(k.count - done);

		err = bpf_map_delete_batch(fd, k.keys + done * key_size, &n, NULL);
		done += n;
		deleted += n;
		if (err == -ENOENT)   /* gone already (freed meanwhile): skip it */
			done++, err = 0;
	}
	free(k.keys);
	return err ? err : (int)deleted;
}
