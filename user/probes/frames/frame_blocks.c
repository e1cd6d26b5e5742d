// SPDX-License-Identifier: GPL-2.0
/* --frame's per-frame leaks: the live blocks of a process, with the time the allocator probe
 * stamped on each (alloc.bpf.c's outstanding maps), for analysis/frame_leaks.c. */
#include "probes/frames/frame_blocks.h"

#include <errno.h>
#include <stdlib.h>

#include "alloc.h"
#include "probes/alloc/alloc_tracer.h"
#include "probes/map_batch.h"
#include "util/grow.h"

struct block_walk {
	unsigned int tgid;
	uint64_t since_ns, until_ns;
	struct frame_block *blocks;
	size_t count, cap;
};

static int add_if_in_frames(const void *key, const void *value, void *ctx)
{
	const struct outstanding_key *k = key;
	const struct outstanding_alloc *a = value;
	struct block_walk *w = ctx;

	if (k->tgid != w->tgid || a->timestamp_ns <= w->since_ns || a->timestamp_ns > w->until_ns)
		return 0;
	if (grow_for_one((void **)&w->blocks, &w->cap, w->count, sizeof(*w->blocks)))
		return -ENOMEM;
	w->blocks[w->count++] = (struct frame_block){ a->stack_id, a->timestamp_ns, a->size };
	return 0;
}

int frame_blocks__read(struct alloc_tracer *alloc, pid_t pid, uint64_t since_ns,
		       uint64_t until_ns, struct frame_block **out, size_t *count)
{
	int fds[OUTSTANDING_MAX_LEVELS], levels = alloc_tracer__outstanding_fds(alloc, fds,
										OUTSTANDING_MAX_LEVELS);
	struct block_walk w = { .tgid = (unsigned int)pid, .since_ns = since_ns,
				.until_ns = until_ns };
	int err = 0;

	*out = NULL;
	*count = 0;
	if (!levels)
		return -ENOENT;
	for (int i = 0; i < levels && !err; i++)
		err = map_batch__for_each(fds[i], sizeof(struct outstanding_key),
					  sizeof(struct outstanding_alloc), add_if_in_frames, &w);
	if (err) {
		free(w.blocks);
		return err;
	}
	*out = w.blocks;
	*count = w.count;
	return 0;
}
