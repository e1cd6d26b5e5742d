// SPDX-License-Identifier: GPL-2.0
/* Layouts, the same from 3.8 to 3.13 on x86-64 (gdb's ptype/o on pyenv's libpythons):
 * struct arena_object is 48 bytes, address at 0 (0: a slot with no arena), nfreepools at 16,
 * ntotalpools at 20; struct pool_header has ref.count (blocks in use) at 0 and szidx at 36, a
 * block of class szidx being (szidx + 1) * 16 bytes. The table: the statics arenas and
 * maxarenas before 3.12; from 3.12 the interpreter's _obmalloc_mgmt, whose arenas and
 * maxarenas lie 552 and 544 bytes before narenas_currently_allocated. An arena holds 64
 * pools. */
#include "target/python/pymalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "target/python/detect.h"
#include "target/python/remote.h"

#define ARENA_OBJECT_SIZE 48
#define ARENA_NFREEPOOLS 16
#define ARENA_NTOTALPOOLS 20
#define MGMT_NARENAS_TO_ARENAS 552
#define MGMT_NARENAS_TO_MAXARENAS 544
#define POOLS_PER_ARENA 64
#define POOL_COUNT 0
#define POOL_SZIDX 36
#define BLOCK_ALIGNMENT 16
#define MAX_ARENA_SLOTS (1u << 20)
/* Pool headers read per snapshot at most (one iovec each, IOV_MAX to a system call). */
#define MAX_POOLS_READ 65536
#define IOV_BATCH 1024

/* Where the table and its length are: false if this build does not tell. */
static bool table_addresses(const struct py_target *t, uint64_t *arenas, uint64_t *maxarenas)
{
	uint64_t gc, narenas = 0, obm;

	if (t->narenas_addr) {         /* the statics: a pointer to the table, and its length */
		uint64_t pointer = py_target__symbol(t, "arenas", false);

		*maxarenas = py_target__symbol(t, "maxarenas", false);
		return pointer && *maxarenas &&
		       remote_read_direct(t->pid, pointer, arenas, sizeof(*arenas)) && *arenas;
	}
	if (!py_target__gc_state(t, &gc))
		return false;
	if (t->off.interp_narenas)
		narenas = gc - t->off.gc_state + t->off.interp_narenas;
	else if (t->off.interp_obmalloc_ptr &&
		 remote_read_direct(t->pid, gc - t->off.gc_state + t->off.interp_obmalloc_ptr, &obm,
				    sizeof(obm)) && obm)
		narenas = obm + t->off.obmalloc_narenas;
	if (!narenas)
		return false;
	if (!remote_read_direct(t->pid, narenas - MGMT_NARENAS_TO_ARENAS, arenas, sizeof(*arenas)))
		return false;
	*maxarenas = narenas - MGMT_NARENAS_TO_MAXARENAS;   /* the address of the count */
	return *arenas != 0;
}

static uint32_t u32_at(const unsigned char *p, size_t offset)
{
	uint32_t v;

	memcpy(&v, p + offset, sizeof(v));
	return v;
}

/* The pools of one snapshot to read: their addresses, batched into process_vm_readv calls
 * that copy 40 bytes of each header (count .. szidx). */
struct pool_reads {
	pid_t pid;
	struct iovec local[IOV_BATCH], remote[IOV_BATCH];
	unsigned char headers[IOV_BATCH][POOL_SZIDX + 4];
	size_t count;
	struct pymalloc_usage *out;
};

static void flush_pools(struct pool_reads *r)
{
	ssize_t want = (ssize_t)(r->count * sizeof(r->headers[0]));

	if (!r->count)
		return;
	if (process_vm_readv(r->pid, r->local, r->count, r->remote, r->count, 0) != want) {
		r->out->blocks_partial = true;
	} else {
		for (size_t i = 0; i < r->count; i++)
			r->out->block_bytes += (uint64_t)u32_at(r->headers[i], POOL_COUNT) *
					       (u32_at(r->headers[i], POOL_SZIDX) + 1) * BLOCK_ALIGNMENT;
	}
	r->count = 0;
}

static void add_pool(struct pool_reads *r, uint64_t addr)
{
	r->local[r->count] = (struct iovec){ r->headers[r->count], sizeof(r->headers[0]) };
	r->remote[r->count] = (struct iovec){ (void *)(uintptr_t)addr, sizeof(r->headers[0]) };
	if (++r->count == IOV_BATCH)
		flush_pools(r);
}

bool pymalloc__read(const struct py_target *t, struct pymalloc_usage *out)
{
	uint64_t table, count_addr, pool_size = t->off.arena_size / POOLS_PER_ARENA, pools_read = 0;
	unsigned char *slots;
	struct pool_reads *reads;
	uint32_t maxarenas;

	memset(out, 0, sizeof(*out));
	if (!t->off.arena_size || !table_addresses(t, &table, &count_addr) ||
	    !remote_read_direct(t->pid, count_addr, &maxarenas, sizeof(maxarenas)) ||
	    maxarenas > MAX_ARENA_SLOTS)
		return false;
	slots = malloc((size_t)maxarenas * ARENA_OBJECT_SIZE + 1);
	reads = calloc(1, sizeof(*reads));
	if (!slots || !reads ||
	    !remote_read_direct(t->pid, table, slots, (size_t)maxarenas * ARENA_OBJECT_SIZE)) {
		free(slots);
		free(reads);
		return false;
	}
	out->known = out->blocks_known = true;
	out->pool_size = pool_size;
	reads->pid = t->pid;
	reads->out = out;
	for (uint32_t i = 0; i < maxarenas; i++) {
		const unsigned char *a = slots + (size_t)i * ARENA_OBJECT_SIZE;
		uint64_t address, first;
		uint32_t nfree = u32_at(a, ARENA_NFREEPOOLS), ntotal = u32_at(a, ARENA_NTOTALPOOLS);

		memcpy(&address, a, sizeof(address));
		if (!address)
			continue;
		out->arenas++;
		if (nfree > ntotal) {          /* a slot changing as we read it */
			out->blocks_partial = true;
			continue;
		}
		out->pools_used += ntotal - nfree;
		out->pools_free += nfree;
		/* Every pool the arena has: a pool in use has blocks (count > 0), a free one none,
		 * one never carved reads as whatever the fresh mapping holds: zeros. */
		first = (address + pool_size - 1) & ~(pool_size - 1);
		for (uint32_t k = 0; k < ntotal; k++) {
			if (pools_read++ == MAX_POOLS_READ) {
				out->blocks_partial = true;
				break;
			}
			add_pool(reads, first + (uint64_t)k * pool_size);
		}
	}
	flush_pools(reads);
	out->arena_bytes = out->arenas * t->off.arena_size;
	free(slots);
	free(reads);
	return true;
}
