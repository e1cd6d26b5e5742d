// SPDX-License-Identifier: GPL-2.0
/* The retainer lookup. One walk of the GC lists finds the type's instances (a sample of at
 * most SAMPLE_MAX), the containers (lists, tuples, dicts and their subclasses) and the
 * modules' dicts; then each level of a breadth-first search is one pass over the containers
 * kept from that walk: a container referring to a node of the frontier becomes its parent
 * (the next level), a module's dict ends the path there, under the key that refers to it.
 * All reads go through the remote cache, so later passes see the heap as the first read it.
 * Bounds: SAMPLE_MAX instances, MAX_DEPTH levels, MAX_CONTAINERS containers, MAX_REFS
 * references read in all, MAX_LOOKUP_NS of time; reaching one, or a heap that changed under
 * WALK_TRIES walks in a row, marks the report partial. */
#include "target/python/retainers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "target/python/census.h"
#include "target/python/retainer_paths.h"

#define SAMPLE_MAX 8192
#define MAX_DEPTH 6
#define MAX_CONTAINERS (4u << 20)
#define MAX_REFS (64ull << 20)
#define MAX_ITEMS (16ll << 20)        /* a container claiming more is taken as corrupt */
#define MAX_GC_OBJECTS (64ull << 20)
#define MAX_LOOKUP_NS 500000000ull
#define WALK_TRIES 4

#define TPFLAGS_INLINE_VALUES (1ul << 2)   /* 3.13+ */
#define TPFLAGS_MANAGED_DICT (1ul << 4)    /* 3.11+ */
#define TPFLAGS_LIST_SUBCLASS (1ul << 25)
#define TPFLAGS_TUPLE_SUBCLASS (1ul << 26)
#define TPFLAGS_DICT_SUBCLASS (1ul << 29)

enum kind { KIND_OTHER, KIND_TARGET, KIND_LIST, KIND_TUPLE, KIND_DICT, KIND_MODULE,
	    KIND_INSTANCE /* of a class whose instances have attributes */ };
#define MAX_ATTRS (1 << 16)

/* An address -> value map, open addressing; address 0 marks an empty slot. */
struct addr_map {
	uint64_t *keys, *vals;
	size_t cap, used;
};

struct type_info {
	enum kind kind;
	uint64_t addr, flags;
	int64_t basicsize, dictoffset;
	char name[PY_TYPE_NAME_MAX];
};

struct node {
	uint64_t addr, parent, key;  /* parent: the container found referring to it; key: the
				      * str it is under, when the parent is a module's dict */
	uint32_t type;               /* index into types */
	uint8_t level;
	bool rooted;                 /* parent is a module's dict */
};

struct container {
	uint64_t addr;
	enum kind kind;
};

struct lookup {
	const struct py_target *t;
	const struct py_container_offsets *co;
	struct remote_mem *m;
	const char *type_name;
	struct retainer_report *r;
	struct addr_map type_index, node_index, module_of_dict, instance_of_dict;
	struct type_info *types;
	size_t type_count, type_cap;
	struct node *nodes;
	size_t node_count, node_cap;
	struct container *containers;
	size_t container_count, container_cap;
	uint64_t sample[SAMPLE_MAX];
	uint64_t instances, refs, rng;
	uint64_t deadline_ns, checks;
	bool spent;                  /* a bound of work was reached: stop, partial */
	bool changed;                /* a GC list changed under the walk */
	int level;                   /* the level being searched for */
	size_t found;                /* parents found in this pass */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* False once MAX_REFS references were read or MAX_LOOKUP_NS passed (the clock is read
 * every 1024 calls). */
static bool budget_left(struct lookup *l)
{
	if (!l->spent &&
	    (l->refs >= MAX_REFS || (!(++l->checks & 1023) && now_ns() > l->deadline_ns))) {
		l->spent = true;
		l->r->partial = true;
	}
	return !l->spent;
}

static size_t slot_of(const struct addr_map *map, uint64_t key)
{
	size_t s = (size_t)((key >> 4) * 0x9e3779b97f4a7c15ull) & (map->cap - 1);

	while (map->keys[s] && map->keys[s] != key)
		s = (s + 1) & (map->cap - 1);
	return s;
}

static bool map_put(struct addr_map *map, uint64_t key, uint64_t val)
{
	size_t s;

	if ((map->used + 1) * 2 > map->cap) {
		struct addr_map bigger = { .cap = map->cap ? map->cap * 2 : 1024 };

		bigger.keys = calloc(bigger.cap, sizeof(uint64_t));
		bigger.vals = calloc(bigger.cap, sizeof(uint64_t));
		if (!bigger.keys || !bigger.vals) {
			free(bigger.keys);
			free(bigger.vals);
			return false;
		}
		for (size_t i = 0; i < map->cap; i++) {
			if (map->keys[i]) {
				s = slot_of(&bigger, map->keys[i]);
				bigger.keys[s] = map->keys[i];
				bigger.vals[s] = map->vals[i];
			}
		}
		bigger.used = map->used;
		free(map->keys);
		free(map->vals);
		*map = bigger;
	}
	s = slot_of(map, key);
	if (!map->keys[s])
		map->used++;
	map->keys[s] = key;
	map->vals[s] = val;
	return true;
}

static bool map_get(const struct addr_map *map, uint64_t key, uint64_t *val)
{
	size_t s;

	if (!map->cap || !key)
		return false;
	s = slot_of(map, key);
	if (!map->keys[s])
		return false;
	*val = map->vals[s];
	return true;
}

static void map_clear(struct addr_map *map)
{
	if (map->cap) {
		memset(map->keys, 0, map->cap * sizeof(uint64_t));
		map->used = 0;
	}
}

static void map_free(struct addr_map *map)
{
	free(map->keys);
	free(map->vals);
}

static bool grow(void **items, size_t *cap, size_t count, size_t size)
{
	size_t n = *cap ? *cap * 2 : 256;
	void *p;

	if (count < *cap)
		return true;
	if (!(p = realloc(*items, n * size)))
		return false;
	*items = p;
	*cap = n;
	return true;
}

/* A compact ASCII str's text (names of modules and globals are); "?" otherwise. */
static void read_str(struct lookup *l, uint64_t addr, char *out, size_t size)
{
	uint32_t state;
	int64_t len;

	snprintf(out, size, "?");
	if (!remote_mem__read(l->m, addr + PY_UNICODE_STATE, &state, sizeof(state)) ||
	    !remote_mem__read(l->m, addr + PY_OB_SIZE, &len, sizeof(len)) ||
	    !(state & (1u << 5)) || !(state & (1u << 6)) || len <= 0 || (size_t)len >= size)
		return;
	if (remote_mem__read(l->m, addr + l->t->off.stack.unicode_ascii_size, out, (size_t)len))
		out[len] = '\0';
	else
		snprintf(out, size, "?");
	for (char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

static enum kind classify(struct lookup *l, uint64_t type_addr, struct type_info *ti)
{
	uint64_t flags, name_ptr;
	char tp_name[PY_TYPE_NAME_MAX + 1];

	if (!remote_mem__read_u64(l->m, type_addr + PY_TP_FLAGS, &flags) ||
	    !(flags & PY_TPFLAGS_READY) ||
	    !remote_mem__read_u64(l->m, type_addr + PY_TP_NAME, &name_ptr) ||
	    !remote_mem__read_string(l->m, name_ptr, tp_name, sizeof(tp_name)) ||
	    !py_type_name_valid(tp_name))
		return KIND_OTHER;
	py_type_short_name(tp_name, flags & PY_TPFLAGS_HEAPTYPE, ti->name, sizeof(ti->name));
	ti->addr = type_addr;
	ti->flags = flags;
	if (!strcmp(ti->name, l->type_name))
		return KIND_TARGET;
	if (flags & TPFLAGS_LIST_SUBCLASS)
		return KIND_LIST;
	if (flags & TPFLAGS_TUPLE_SUBCLASS)
		return KIND_TUPLE;
	if (flags & TPFLAGS_DICT_SUBCLASS)
		return KIND_DICT;
	if (!strcmp(tp_name, "module") && !(flags & PY_TPFLAGS_HEAPTYPE))
		return KIND_MODULE;
	if (!(flags & PY_TPFLAGS_HEAPTYPE) ||
	    !remote_mem__read(l->m, type_addr + PY_TP_BASICSIZE, &ti->basicsize, 8) ||
	    !remote_mem__read(l->m, type_addr + l->co->type_dictoffset, &ti->dictoffset, 8))
		return KIND_OTHER;
	if (l->co->attrs != PY_ATTRS_DICTOFFSET && (flags & TPFLAGS_MANAGED_DICT))
		return KIND_INSTANCE;
	return ti->dictoffset > 0 && ti->dictoffset < ti->basicsize ? KIND_INSTANCE : KIND_OTHER;
}

/* The index of an object's type in l->types, or -1. */
static long type_of(struct lookup *l, uint64_t obj)
{
	uint64_t type_addr, idx;
	struct type_info ti = { 0 };

	if (!remote_mem__read_u64(l->m, obj + PY_OB_TYPE, &type_addr) || !type_addr)
		return -1;
	if (map_get(&l->type_index, type_addr, &idx))
		return (long)idx;
	if (!grow((void **)&l->types, &l->type_cap, l->type_count, sizeof(*l->types)))
		return -1;
	ti.kind = classify(l, type_addr, &ti);
	l->types[l->type_count] = ti;
	if (!map_put(&l->type_index, type_addr, l->type_count))
		return -1;
	return (long)l->type_count++;
}

/* Reservoir sampling: each instance has the same chance to be followed. */
static void sample_instance(struct lookup *l, uint64_t obj)
{
	uint64_t j;

	l->instances++;
	if (l->instances <= SAMPLE_MAX) {
		l->sample[l->instances - 1] = obj;
		return;
	}
	l->rng = l->rng * 6364136223846793005ull + 1442695040888963407ull;
	j = (l->rng >> 11) % l->instances;
	if (j < SAMPLE_MAX)
		l->sample[j] = obj;
}

/* The number of values a class's instances share keys for (3.11, 3.12: ht_cached_keys). */
static uint64_t shared_keys_count(struct lookup *l, const struct type_info *ti)
{
	uint64_t keys;
	int64_t n;

	if (!remote_mem__read_u64(l->m, ti->addr + l->co->heap_cached_keys, &keys) || !keys ||
	    !remote_mem__read(l->m, keys + l->co->keys_nentries, &n, sizeof(n)) || n < 0 ||
	    n > MAX_ATTRS)
		return 0;
	return (uint64_t)n;
}

/* Where an instance's attributes are, by version: its __dict__ (*dict), or an array of
 * values (*values, *count) that no dict object owns (3.11+). */
static void instance_attrs(struct lookup *l, uint64_t obj, const struct type_info *ti,
			   uint64_t *dict, uint64_t *values, uint64_t *count)
{
	uint64_t word;
	uint8_t header[4];

	*dict = *values = *count = 0;
	if (!(ti->flags & TPFLAGS_MANAGED_DICT) || l->co->attrs == PY_ATTRS_DICTOFFSET) {
		remote_mem__read_u64(l->m, obj + (uint64_t)ti->dictoffset, dict);
		return;
	}
	switch (l->co->attrs) {
	case PY_ATTRS_PREHEADER_311:
		remote_mem__read_u64(l->m, obj - 24, dict);
		if (!*dict && remote_mem__read_u64(l->m, obj - 32, values) && *values)
			*count = shared_keys_count(l, ti);
		return;
	case PY_ATTRS_TAGGED_312:
		if (!remote_mem__read_u64(l->m, obj - 24, &word))
			return;
		if (!(word & 1)) {
			*dict = word;
			return;
		}
		*values = word + 1;    /* stored as values - 1 */
		*count = shared_keys_count(l, ti);
		return;
	case PY_ATTRS_INLINE_313:
		remote_mem__read_u64(l->m, obj - 24, dict);
		/* PyDictValues: capacity, size, embedded, valid; then the values. */
		if (!*dict && (ti->flags & TPFLAGS_INLINE_VALUES) &&
		    remote_mem__read(l->m, obj + (uint64_t)ti->basicsize, header, sizeof(header)) &&
		    header[3]) {
			*values = obj + (uint64_t)ti->basicsize;
			*count = header[0];
		}
		return;
	default:
		return;
	}
}

static void add_container(struct lookup *l, uint64_t obj, enum kind kind)
{
	if (l->container_count == MAX_CONTAINERS ||
	    !grow((void **)&l->containers, &l->container_cap, l->container_count,
		  sizeof(*l->containers))) {
		l->r->partial = true;
		return;
	}
	l->containers[l->container_count++] = (struct container){ .addr = obj, .kind = kind };
}

static void note_object(struct lookup *l, uint64_t obj)
{
	long ti = type_of(l, obj);
	uint64_t dict, values, count;

	if (ti < 0)
		return;
	switch (l->types[ti].kind) {
	case KIND_TARGET:
		sample_instance(l, obj);
		return;
	case KIND_MODULE:
		if (remote_mem__read_u64(l->m, obj + l->co->module_dict, &dict) && dict &&
		    !map_put(&l->module_of_dict, dict, obj))
			l->r->partial = true;
		return;
	case KIND_INSTANCE:
		/* Its __dict__'s entries are its own references (the path skips the dict). */
		instance_attrs(l, obj, &l->types[ti], &dict, &values, &count);
		if (dict && !map_put(&l->instance_of_dict, dict, obj))
			l->r->partial = true;
		if (values && count)
			add_container(l, obj, KIND_INSTANCE);
		return;
	case KIND_LIST:
	case KIND_TUPLE:
	case KIND_DICT:
		add_container(l, obj, l->types[ti].kind);
		return;
	default:
		return;
	}
}

/* One generation's list, as census.c walks it: a broken back link ends it (it changed). */
static void walk_generation(struct lookup *l, uint64_t head)
{
	uint64_t node, prev = head, links[2], steps = 0;

	if (!remote_mem__read(l->m, head, links, sizeof(links))) {
		l->changed = true;
		return;
	}
	node = links[0] & ~PY_GC_NEXT_MASK_UNREACHABLE;
	while (node != head && budget_left(l)) {
		if (!node || ++steps > MAX_GC_OBJECTS ||
		    !remote_mem__read(l->m, node, links, sizeof(links)) || (links[1] & ~3ull) != prev) {
			l->changed = true;
			return;
		}
		note_object(l, node + l->t->off.gc_head_size);
		prev = node;
		node = links[0] & ~PY_GC_NEXT_MASK_UNREACHABLE;
	}
}

static bool add_node(struct lookup *l, uint64_t addr, int level)
{
	long ti = type_of(l, addr);

	if (ti < 0 || !grow((void **)&l->nodes, &l->node_cap, l->node_count, sizeof(*l->nodes)) ||
	    !map_put(&l->node_index, addr, l->node_count))
		return false;
	l->nodes[l->node_count++] = (struct node){ .addr = addr, .type = (uint32_t)ti,
						   .level = (uint8_t)level };
	return true;
}

/* container refers to ref (under key, for a dict): the parent of ref if ref is on the
 * frontier and has none yet, and container is new or found in this pass (one already lower
 * in the tree would close a cycle). */
static void visit(struct lookup *l, uint64_t container, bool module_dict, uint64_t ref,
		  uint64_t key)
{
	uint64_t idx, known;
	struct node *n;

	l->refs++;
	if (!map_get(&l->node_index, ref, &idx))
		return;
	n = &l->nodes[idx];
	if (n->parent || n->level != l->level - 1)
		return;
	if (module_dict) {
		n->parent = container;
		n->rooted = true;
		n->key = key;
		return;
	}
	if (map_get(&l->node_index, container, &known)) {
		if (l->nodes[known].level != l->level)
			return;
	} else if (!add_node(l, container, l->level)) {
		l->r->partial = true;
		return;
	}
	l->nodes[idx].parent = container;   /* add_node may have moved the nodes */
	l->found++;
}

static void scan_sequence(struct lookup *l, uint64_t obj, uint64_t items)
{
	int64_t size;
	uint64_t item;

	if (!remote_mem__read(l->m, obj + PY_OB_SIZE, &size, sizeof(size)) || size < 0 ||
	    size > MAX_ITEMS) {
		l->r->partial = true;
		return;
	}
	for (int64_t i = 0; i < size && budget_left(l); i++) {
		if (!remote_mem__read_u64(l->m, items + (uint64_t)i * 8, &item)) {
			l->r->partial = true;
			return;
		}
		visit(l, obj, false, item, 0);
	}
}

/* A dict's entries by its version's layout: the entries follow the index table; a split
 * table keeps the values apart (ma_values), one per entry. */
static void scan_dict(struct lookup *l, uint64_t dict)
{
	const struct py_container_offsets *co = l->co;
	uint64_t keys, values, entry[3], index_bytes, entry_size = 24, key_at = 8, value, idx;
	int64_t nentries, size;
	uint8_t log2_index_bytes, kind;
	bool module_dict = map_get(&l->module_of_dict, dict, &idx);
	uint64_t holder = dict;

	if (!module_dict)
		map_get(&l->instance_of_dict, dict, &holder);

	if (!remote_mem__read_u64(l->m, dict + co->dict_keys, &keys) ||
	    !remote_mem__read_u64(l->m, dict + co->dict_values, &values) ||
	    !remote_mem__read(l->m, keys + co->keys_nentries, &nentries, sizeof(nentries)))
		goto bad;
	if (co->keys_log2) {
		if (!remote_mem__read(l->m, keys + co->keys_size, &log2_index_bytes, 1) ||
		    !remote_mem__read(l->m, keys + (uint64_t)co->keys_kind, &kind, 1) ||
		    log2_index_bytes > 40)
			goto bad;
		index_bytes = 1ull << log2_index_bytes;
		if (kind) {                  /* str keys only: PyDictUnicodeEntry {key, value} */
			entry_size = 16;
			key_at = 0;
		}
	} else {
		if (!remote_mem__read(l->m, keys + co->keys_size, &size, sizeof(size)) || size <= 0 ||
		    size > MAX_ITEMS * 2)
			goto bad;
		index_bytes = (uint64_t)size * (size <= 0xff ? 1 : size <= 0xffff ? 2 : 4);
	}
	if (nentries < 0 || nentries > MAX_ITEMS)
		goto bad;
	for (int64_t i = 0; i < nentries && budget_left(l); i++) {
		uint64_t at = keys + co->keys_indices + index_bytes + (uint64_t)i * entry_size;

		if (!remote_mem__read(l->m, at, entry, entry_size))
			goto bad;
		if (values && !remote_mem__read_u64(l->m, values + co->values_items +
						    (uint64_t)i * 8, &value))
			goto bad;
		if (!values)
			value = entry[key_at / 8 + 1];
		if (value)
			visit(l, holder, module_dict, value, entry[key_at / 8]);
	}
	return;
bad:
	l->r->partial = true;
}

static void scan_instance(struct lookup *l, uint64_t obj)
{
	long ti = type_of(l, obj);
	uint64_t dict, values, count, value;

	if (ti < 0)
		return;
	instance_attrs(l, obj, &l->types[ti], &dict, &values, &count);
	for (uint64_t i = 0; values && i < count && i < MAX_ATTRS && budget_left(l); i++) {
		if (remote_mem__read_u64(l->m, values + l->co->values_items + i * 8, &value) && value)
			visit(l, obj, false, value, 0);
	}
}

static void search_level(struct lookup *l)
{
	for (size_t i = 0; i < l->container_count && budget_left(l); i++) {
		const struct container *c = &l->containers[i];
		uint64_t items;

		if (c->kind == KIND_DICT) {
			scan_dict(l, c->addr);
		} else if (c->kind == KIND_INSTANCE) {
			scan_instance(l, c->addr);
		} else if (c->kind == KIND_TUPLE) {
			scan_sequence(l, c->addr, c->addr + l->co->tuple_items);
		} else if (remote_mem__read_u64(l->m, c->addr + l->co->list_items, &items)) {
			scan_sequence(l, c->addr, items);
		}
	}
}

/* The path of one sampled instance, from the global down, into out. */
static void path_of(struct lookup *l, const struct node *n, char *out, size_t size)
{
	const char *types[MAX_DEPTH];
	size_t ntypes = 0;
	uint64_t idx, module, name;
	char module_name[64], global[64];

	while (!n->rooted) {
		if (!n->parent || !map_get(&l->node_index, n->parent, &idx) || ntypes == MAX_DEPTH) {
			snprintf(out, size, "%s", RETAINER_UNRESOLVED);
			return;
		}
		n = &l->nodes[idx];
		types[ntypes++] = l->types[n->type].name;
	}
	for (size_t i = 0; i < ntypes / 2; i++) {
		const char *swap = types[i];

		types[i] = types[ntypes - 1 - i];
		types[ntypes - 1 - i] = swap;
	}
	snprintf(module_name, sizeof(module_name), "?");
	if (map_get(&l->module_of_dict, n->parent, &module) &&
	    remote_mem__read_u64(l->m, module + l->co->module_name, &name))
		read_str(l, name, module_name, sizeof(module_name));
	read_str(l, n->key, global, sizeof(global));
	retainer_path__format(out, size, module_name, global, types, ntypes, l->type_name);
}

static int tally_paths(struct lookup *l)
{
	struct retainer_tally tally = { 0 };
	size_t sampled = l->instances < SAMPLE_MAX ? (size_t)l->instances : SAMPLE_MAX;
	char path[RETAINER_PATH_LEN];

	for (size_t i = 0; i < sampled; i++) {
		path_of(l, &l->nodes[i], path, sizeof(path));
		retainer_tally__add(&tally, path, 1);
	}
	if (tally.dropped)
		l->r->partial = true;
	retainer_tally__rank(&tally, l->instances, sampled, l->r);
	retainer_tally__free(&tally);
	return 0;
}

/* The walk of the three GC lists, again on a fresh copy of the heap when one changed under
 * it (the target runs on: a collection or a busy allocator relinks the young list), up to
 * WALK_TRIES times; the types stay known. The sample then comes from one consistent walk. */
static void walk_heap(struct lookup *l, uint64_t gc)
{
	for (int try = 0; try < WALK_TRIES && !l->spent; try++) {
		l->changed = false;
		l->instances = 0;
		l->container_count = 0;
		map_clear(&l->module_of_dict);
		map_clear(&l->instance_of_dict);
		if (try)
			remote_mem__reset(l->m);
		for (int g = 0; g < 3; g++)
			walk_generation(l, gc + l->t->off.gc_generations +
					       (uint64_t)g * l->t->off.gc_generation_size);
		if (!l->changed)
			return;
	}
	l->r->partial = true;
}

static int run(struct lookup *l)
{
	uint64_t gc;
	size_t sampled;

	if (!py_target__gc_state(l->t, &gc))
		return kill(l->t->pid, 0) && errno == ESRCH ? -ESRCH : -EAGAIN;
	walk_heap(l, gc);
	sampled = l->instances < SAMPLE_MAX ? (size_t)l->instances : SAMPLE_MAX;
	for (size_t i = 0; i < sampled; i++)   /* nodes[0..sampled) are the sample */
		if (!add_node(l, l->sample[i], 0))
			return -ENOMEM;
	for (l->level = 1; l->level <= MAX_DEPTH; l->level++) {
		l->found = 0;
		search_level(l);
		if (!l->found || l->spent)
			break;
	}
	return tally_paths(l);
}

int py_retainers__find(const struct py_target *t, struct remote_mem *m, const char *type_name,
		       struct retainer_report *r)
{
	struct lookup *l = calloc(1, sizeof(*l));
	int err;

	*r = (struct retainer_report){ 0 };
	if (!l)
		return -ENOMEM;
	*l = (struct lookup){ .t = t, .co = &t->off.containers, .m = m, .type_name = type_name,
			      .r = r, .rng = 0x853c49e6748fea9bull,
			      .deadline_ns = now_ns() + MAX_LOOKUP_NS };
	remote_mem__reset(m);
	err = run(l);
	r->known = !err;
	remote_mem__reset(m);
	map_free(&l->type_index);
	map_free(&l->node_index);
	map_free(&l->module_of_dict);
	map_free(&l->instance_of_dict);
	free(l->types);
	free(l->nodes);
	free(l->containers);
	free(l);
	return err;
}
