// SPDX-License-Identifier: GPL-2.0
#include "target/python/census.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_OBJECTS (64ull << 20)    /* a list longer than this is taken as corrupt */

struct type_slot {
	uint64_t type_addr;          /* 0: empty */
	int index;                   /* into the census's types, or -1: invalid type */
};

struct walk {
	const struct py_target *t;
	struct remote_mem *m;
	struct py_census *c;
	struct type_slot *slots;
	size_t slot_cap, slot_used;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void py_type_short_name(const char *tp_name, bool heap_type, char *out, size_t size)
{
	/* Classes made by C modules (PyType_FromSpec) are heap types named "module.Name" too;
	 * only a class whose __name__ was set to a dotted string reads differently. */
	const char *dot = strrchr(tp_name, '.');

	(void)heap_type;
	const char *name = dot ? dot + 1 : tp_name;
	size_t n = strnlen(name, size - 1);

	memcpy(out, name, n);
	out[n] = '\0';
}

bool py_type_name_valid(const char *name)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++, n++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return n > 0 && n < PY_TYPE_NAME_MAX;
}

/* A type object is valid when it is ready and its own type is type or a subclass of it. */
static int classify_type(struct walk *w, uint64_t type_addr)
{
	unsigned char ty[PY_TP_FLAGS + 8];
	uint64_t meta, name_ptr, flags, meta_flags;
	int64_t basicsize, itemsize;
	char tp_name[PY_TYPE_NAME_MAX + 1];
	struct py_type_count *tc;

	if (!remote_mem__read(w->m, type_addr, ty, sizeof(ty)))
		return -1;
	memcpy(&meta, ty + PY_OB_TYPE, 8);
	memcpy(&name_ptr, ty + PY_TP_NAME, 8);
	memcpy(&basicsize, ty + PY_TP_BASICSIZE, 8);
	memcpy(&itemsize, ty + PY_TP_ITEMSIZE, 8);
	memcpy(&flags, ty + PY_TP_FLAGS, 8);
	if (!(flags & PY_TPFLAGS_READY) || basicsize <= 0 || basicsize > (1 << 20) ||
	    itemsize < 0 || itemsize > (1 << 20))
		return -1;
	if (meta != w->t->type_type_addr) {
		if (!remote_mem__read(w->m, meta + PY_TP_FLAGS, &meta_flags, 8) ||
		    !(meta_flags & PY_TPFLAGS_TYPE_SUBCLASS))
			return -1;
	}
	if (!remote_mem__read_string(w->m, name_ptr, tp_name, sizeof(tp_name)) ||
	    !py_type_name_valid(tp_name))
		return -1;
	if (w->c->count == w->c->capacity) {
		size_t cap = w->c->capacity ? w->c->capacity * 2 : 256;
		struct py_type_count *types = realloc(w->c->types, cap * sizeof(*types));

		if (!types)
			return -1;
		w->c->types = types;
		w->c->capacity = cap;
	}
	tc = &w->c->types[w->c->count];
	memset(tc, 0, sizeof(*tc));
	tc->type_addr = type_addr;
	py_type_short_name(tp_name, flags & PY_TPFLAGS_HEAPTYPE, tc->name, sizeof(tc->name));
	/* basicsize and itemsize ride along in live_bytes' place until the walk ends. */
	return (int)w->c->count++;
}

static bool grow_slots(struct walk *w)
{
	size_t cap = w->slot_cap ? w->slot_cap * 2 : 1024;
	struct type_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return false;
	for (size_t i = 0; i < w->slot_cap; i++) {
		size_t s;

		if (!w->slots[i].type_addr)
			continue;
		for (s = (w->slots[i].type_addr >> 4) & (cap - 1); slots[s].type_addr; s = (s + 1) & (cap - 1))
			;
		slots[s] = w->slots[i];
	}
	free(w->slots);
	w->slots = slots;
	w->slot_cap = cap;
	return true;
}

static int type_index(struct walk *w, uint64_t type_addr)
{
	size_t s;

	if (w->slot_used * 2 >= w->slot_cap && !grow_slots(w))
		return -1;
	for (s = (type_addr >> 4) & (w->slot_cap - 1); w->slots[s].type_addr; s = (s + 1) & (w->slot_cap - 1))
		if (w->slots[s].type_addr == type_addr)
			return w->slots[s].index;
	w->slots[s].type_addr = type_addr;
	w->slots[s].index = classify_type(w, type_addr);
	w->slot_used++;
	return w->slots[s].index;
}

static void count_object(struct walk *w, uint64_t obj)
{
	unsigned char head[PY_OB_SIZE + 8];
	uint64_t type_addr, bytes;
	int64_t size, basicsize, itemsize;
	int idx;

	if (!remote_mem__read(w->m, obj, head, sizeof(head))) {
		w->c->partial = true;
		return;
	}
	memcpy(&type_addr, head + PY_OB_TYPE, 8);
	idx = type_addr ? type_index(w, type_addr) : -1;
	if (idx < 0) {
		w->c->invalid++;
		return;
	}
	if (!remote_mem__read(w->m, type_addr + PY_TP_BASICSIZE, &basicsize, 8) ||
	    !remote_mem__read(w->m, type_addr + PY_TP_ITEMSIZE, &itemsize, 8))
		return;
	bytes = (uint64_t)basicsize + w->t->off.gc_head_size;
	if (itemsize) {
		memcpy(&size, head + PY_OB_SIZE, 8);
		if (size < 0)
			size = -size;
		if (size < (1ll << 40))
			bytes += (uint64_t)itemsize * (uint64_t)size;
	}
	w->c->types[idx].live++;
	w->c->types[idx].live_bytes += bytes;
	w->c->objects++;
	w->c->bytes += bytes;
}

/* Walks one generation's doubly linked list from its head. A next node whose prev link
 * does not point back means the list changed while we read it: stop there. */
static void walk_list(struct walk *w, uint64_t head)
{
	uint64_t node, prev = head, links[2];
	uint64_t steps = 0;

	if (!remote_mem__read(w->m, head, links, sizeof(links))) {
		w->c->partial = true;
		return;
	}
	node = links[0] & ~PY_GC_NEXT_MASK_UNREACHABLE;
	while (node != head) {
		if (!node || ++steps > MAX_OBJECTS || !remote_mem__read(w->m, node, links, sizeof(links)) ||
		    (links[1] & ~3ull) != prev) {
			w->c->partial = true;
			return;
		}
		count_object(w, node + w->t->off.gc_head_size);
		prev = node;
		node = links[0] & ~PY_GC_NEXT_MASK_UNREACHABLE;
	}
}

static int compare_live(const void *a, const void *b)
{
	const struct py_type_count *x = a, *y = b;

	if (x->live != y->live)
		return x->live < y->live ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int compare_name(const void *a, const void *b)
{
	return strcmp(((const struct py_type_count *)a)->name,
		      ((const struct py_type_count *)b)->name);
}

/* Types that share a name are counted together, as Counter(type(o).__name__) does. */
static void merge_by_name(struct py_census *c)
{
	size_t out = 0;

	qsort(c->types, c->count, sizeof(*c->types), compare_name);
	for (size_t i = 0; i < c->count; i++) {
		if (out && !strcmp(c->types[out - 1].name, c->types[i].name)) {
			c->types[out - 1].live += c->types[i].live;
			c->types[out - 1].live_bytes += c->types[i].live_bytes;
			continue;
		}
		if (!c->types[i].live)
			continue;
		c->types[out++] = c->types[i];
	}
	c->count = out;
	qsort(c->types, c->count, sizeof(*c->types), compare_live);
}

/* A small fresh value: one read, not through the walk's cache of 64 KiB chunks (a poll of
 * an idle interpreter would copy 64 KiB to read 8 bytes). */
static bool read_u64(const struct py_target *t, uint64_t addr, uint64_t *out)
{
	return remote_read_direct(t->pid, addr, out, sizeof(*out));
}

int py_census__stats(const struct py_target *t, struct py_census *c)
{
	uint64_t gc, raw[9], narenas, obm;

	c->stats_ok = false;
	c->arenas_ok = false;
	if (!py_target__gc_state(t, &gc))
		return -EAGAIN;
	if (remote_read_direct(t->pid, gc + t->off.gc_stats, raw, sizeof(raw))) {
		for (int g = 0; g < 3; g++) {
			c->gc.collections[g] = raw[g * 3];
			c->gc.collected[g] = raw[g * 3 + 1];
			c->gc.uncollectable[g] = raw[g * 3 + 2];
		}
		c->stats_ok = true;
	}
	if (t->narenas_addr) {
		c->arenas_ok = read_u64(t, t->narenas_addr, &narenas);
	} else if (t->off.interp_narenas) {
		c->arenas_ok = read_u64(t, gc - t->off.gc_state + t->off.interp_narenas, &narenas);
	} else if (t->off.interp_obmalloc_ptr) {
		c->arenas_ok = read_u64(t, gc - t->off.gc_state + t->off.interp_obmalloc_ptr,
					&obm) && obm &&
			       read_u64(t, obm + t->off.obmalloc_narenas, &narenas);
	}
	if (c->arenas_ok)
		c->arena_bytes = narenas * t->off.arena_size;
	return 0;
}

void py_census__fingerprint(const struct py_target *t, struct py_gc_fingerprint *fp)
{
	size_t size = 3 * (size_t)t->off.gc_generation_size;
	uint64_t gc, raw[9];

	memset(fp, 0, sizeof(*fp));
	if (size > sizeof(fp->generations) || !py_target__gc_state(t, &gc) ||
	    !remote_read_direct(t->pid, gc + t->off.gc_generations, fp->generations, size) ||
	    !remote_read_direct(t->pid, gc + t->off.gc_stats, raw, sizeof(raw)))
		return;
	for (int g = 0; g < 3; g++)
		fp->collections[g] = raw[g * 3];
	fp->valid = true;
}

bool py_gc_fingerprint__same(const struct py_gc_fingerprint *a, const struct py_gc_fingerprint *b)
{
	return a->valid && b->valid && !memcmp(a->generations, b->generations, sizeof(a->generations)) &&
	       !memcmp(a->collections, b->collections, sizeof(a->collections));
}

int py_census__take(const struct py_target *t, struct remote_mem *m, struct py_census *c)
{
	struct walk w = { .t = t, .m = m, .c = c };
	uint64_t start = now_ns(), gc;
	int err;

	c->count = 0;
	c->objects = c->bytes = c->invalid = 0;
	c->partial = false;
	remote_mem__reset(m);
	if (!py_target__gc_state(t, &gc))
		return kill(t->pid, 0) && errno == ESRCH ? -ESRCH : -EAGAIN;
	for (int g = 0; g < 3; g++)
		walk_list(&w, gc + t->off.gc_generations + (uint64_t)g * t->off.gc_generation_size);
	err = py_census__stats(t, c);
	merge_by_name(c);
	free(w.slots);
	c->syscalls = remote_mem__syscalls(m);
	/* The copy of the target's heap is stale by the next census: not kept between them,
	 * or a hundred interpreters would hold a copy of each heap. */
	remote_mem__reset(m);
	c->duration_ns = now_ns() - start;
	return err;
}

void py_census__free(struct py_census *c)
{
	free(c->types);
	memset(c, 0, sizeof(*c));
}
