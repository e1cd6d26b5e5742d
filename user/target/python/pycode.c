// SPDX-License-Identifier: GPL-2.0
#include "target/python/pycode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PYCODE_BUCKETS 8192          /* a power of two, twice PYCODE_CACHE_MAX */
#define STR_MAX_CHARS 511            /* longer names and paths are cut */
#define LOCATION_NO_INFO 15          /* location table entry codes (Objects/locations.md) */
#define LOCATION_LONG 14
#define LOCATION_NO_COLUMNS 13
#define LOCATION_ONE_LINE_0 10
#define PEP626_NO_LINE (-128)

/* What identifies a code object at an address: read on every resolve, a difference means the
 * object was freed and another one took its place. */
struct code_ident {
	uint64_t filename, name, qualname, linetable;
	int32_t firstlineno;
};

struct pycode_entry {
	pid_t pid;
	uint64_t code;
	struct code_ident id;
	char function[160];
	char file[512];
	uint8_t *table;
	size_t table_size;
	int32_t hash_next;           /* bucket chain, -1 ends */
	int32_t lru_prev, lru_next;  /* most recently used first */
};

struct pycode_cache {
	struct pycode_entry *entries;
	size_t used;                 /* slots handed out so far */
	size_t held;                 /* of those, holding a code object */
	size_t table_bytes;          /* line tables held, at most PYCODE_TABLE_BYTES_MAX */
	int32_t free_head;           /* evicted slots, chained through hash_next */
	int32_t buckets[PYCODE_BUCKETS];
	int32_t lru_head, lru_tail;
	size_t decodes;
};

struct pycode_cache *pycode_cache__new(void)
{
	struct pycode_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->entries = calloc(PYCODE_CACHE_MAX, sizeof(*c->entries));
	if (!c->entries) {
		free(c);
		return NULL;
	}
	memset(c->buckets, 0xff, sizeof(c->buckets));
	c->lru_head = c->lru_tail = c->free_head = -1;
	return c;
}

void pycode_cache__free(struct pycode_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->used; i++)
		free(c->entries[i].table);
	free(c->entries);
	free(c);
}

size_t pycode_cache__entries(const struct pycode_cache *c)
{
	return c->held;
}

size_t pycode_cache__decodes(const struct pycode_cache *c)
{
	return c->decodes;
}

static uint32_t bucket_of(pid_t pid, uint64_t code)
{
	uint64_t h = ((code >> 4) ^ ((uint64_t)pid << 40)) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & (PYCODE_BUCKETS - 1);
}

static void lru_unlink(struct pycode_cache *c, int32_t i)
{
	struct pycode_entry *e = &c->entries[i];

	if (e->lru_prev >= 0)
		c->entries[e->lru_prev].lru_next = e->lru_next;
	else
		c->lru_head = e->lru_next;
	if (e->lru_next >= 0)
		c->entries[e->lru_next].lru_prev = e->lru_prev;
	else
		c->lru_tail = e->lru_prev;
}

static void lru_push_front(struct pycode_cache *c, int32_t i)
{
	struct pycode_entry *e = &c->entries[i];

	e->lru_prev = -1;
	e->lru_next = c->lru_head;
	if (c->lru_head >= 0)
		c->entries[c->lru_head].lru_prev = i;
	c->lru_head = i;
	if (c->lru_tail < 0)
		c->lru_tail = i;
}

static void hash_unlink(struct pycode_cache *c, int32_t i)
{
	int32_t *link = &c->buckets[bucket_of(c->entries[i].pid, c->entries[i].code)];

	while (*link >= 0 && *link != i)
		link = &c->entries[*link].hash_next;
	if (*link == i)
		*link = c->entries[i].hash_next;
}

static int32_t cache_find(struct pycode_cache *c, pid_t pid, uint64_t code)
{
	for (int32_t i = c->buckets[bucket_of(pid, code)]; i >= 0; i = c->entries[i].hash_next)
		if (c->entries[i].code == code && c->entries[i].pid == pid)
			return i;
	return -1;
}

static void cache_evict(struct pycode_cache *c, int32_t i)
{
	struct pycode_entry *e = &c->entries[i];

	lru_unlink(c, i);
	hash_unlink(c, i);
	c->table_bytes -= e->table_size;
	free(e->table);
	*e = (struct pycode_entry){ .table = NULL, .hash_next = c->free_head };
	c->free_head = i;
	c->held--;
}

/* A slot for a new entry: an evicted one, a fresh one while there is room, else the least
 * recently used one's. */
static int32_t cache_slot(struct pycode_cache *c)
{
	int32_t i;

	if (c->free_head < 0 && c->used >= PYCODE_CACHE_MAX)
		cache_evict(c, c->lru_tail);
	if (c->free_head >= 0) {
		i = c->free_head;
		c->free_head = c->entries[i].hash_next;
		return i;
	}
	return (int32_t)c->used++;
}

/* Least recently used entries out until the line tables fit their budget (keep one). */
static void cache_trim(struct pycode_cache *c)
{
	while (c->table_bytes > PYCODE_TABLE_BYTES_MAX && c->lru_tail != c->lru_head)
		cache_evict(c, c->lru_tail);
}

static void cache_insert(struct pycode_cache *c, int32_t i)
{
	uint32_t b = bucket_of(c->entries[i].pid, c->entries[i].code);

	c->entries[i].hash_next = c->buckets[b];
	c->buckets[b] = i;
	lru_push_front(c, i);
	c->held++;
}

/* --- Line tables ------------------------------------------------------------------------- */

/* Locations varints: 6-bit chunks, least significant first, bit 6 says more follow. */
static bool read_varint(const uint8_t *t, size_t size, size_t *i, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	uint8_t b;

	do {
		if (*i >= size || shift > 60)
			return false;
		b = t[(*i)++];
		v |= (uint64_t)(b & 63) << shift;
		shift += 6;
	} while (b & 64);
	*out = v;
	return true;
}

static bool read_svarint(const uint8_t *t, size_t size, size_t *i, int64_t *out)
{
	uint64_t v;

	if (!read_varint(t, size, i, &v))
		return false;
	*out = (v & 1) ? -(int64_t)(v >> 1) : (int64_t)(v >> 1);
	return true;
}

/* 3.8, 3.9 co_lnotab: (byte delta, signed line delta) pairs; a line starts where its
 * byte delta lands. */
static int lnotab_line(const uint8_t *t, size_t size, int line, int64_t offset)
{
	int64_t addr = 0;

	for (size_t i = 0; i + 1 < size; i += 2) {
		addr += t[i];
		if (addr > offset)
			break;
		line += (int8_t)t[i + 1];
	}
	return line;
}

/* 3.10 co_linetable (PEP 626): (byte length, signed line delta) per range; -128: no line. */
static int pep626_line(const uint8_t *t, size_t size, int line, int64_t offset)
{
	int64_t start = 0;

	for (size_t i = 0; i + 1 < size; i += 2) {
		int delta = (int8_t)t[i + 1];

		if (delta != PEP626_NO_LINE)
			line += delta;
		start += t[i];
		if (offset < start)
			return delta == PEP626_NO_LINE ? -1 : line;
	}
	return -1;
}

/* 3.11+ location table: entries of 1 to 8 code units; the first byte has bit 7 set, the
 * entry's code in bits 3-6, its length - 1 in bits 0-2. */
static int locations_line(const uint8_t *t, size_t size, int line, int64_t offset)
{
	int64_t start = 0;
	size_t i = 0;

	while (i < size) {
		uint8_t head = t[i++];
		unsigned int code = (head >> 3) & 15;
		int64_t end = start + ((head & 7) + 1) * 2;
		int64_t delta = 0;
		uint64_t skip;

		if (!(head & 0x80))
			return -1;
		if (code == LOCATION_LONG) {
			if (!read_svarint(t, size, &i, &delta) || !read_varint(t, size, &i, &skip) ||
			    !read_varint(t, size, &i, &skip) || !read_varint(t, size, &i, &skip))
				return -1;
		} else if (code == LOCATION_NO_COLUMNS) {
			if (!read_svarint(t, size, &i, &delta))
				return -1;
		} else if (code >= LOCATION_ONE_LINE_0 && code < LOCATION_NO_COLUMNS) {
			delta = code - LOCATION_ONE_LINE_0;
			i += 2;
		} else if (code != LOCATION_NO_INFO) {
			i += 1;
		}
		line += (int)delta;
		if (offset < end)
			return code == LOCATION_NO_INFO ? -1 : line;
		start = end;
	}
	return -1;
}

int pycode__line_of(enum py_line_table kind, const uint8_t *table, size_t size, int firstlineno,
		    int64_t byte_offset)
{
	if (byte_offset < 0)
		return firstlineno;
	switch (kind) {
	case PY_LINE_TABLE_LNOTAB:
		return lnotab_line(table, size, firstlineno, byte_offset);
	case PY_LINE_TABLE_PEP626:
		return pep626_line(table, size, firstlineno, byte_offset);
	case PY_LINE_TABLE_LOCATIONS:
		return locations_line(table, size, firstlineno, byte_offset);
	}
	return -1;
}

/* --- Objects in the target --------------------------------------------------------------- */

static size_t put_utf8(char *out, size_t room, uint32_t cp)
{
	char tmp[4];
	size_t n;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 63));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 63));
		tmp[2] = (char)(0x80 | (cp & 63));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | ((cp >> 18) & 7));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 63));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 63));
		tmp[3] = (char)(0x80 | (cp & 63));
		n = 4;
	}
	if (n > room)
		return 0;
	memcpy(out, tmp, n);
	return n;
}

/* A str object as UTF-8: compact ASCII data follows PyASCIIObject, other compact kinds (1, 2,
 * 4 bytes a character) follow PyCompactUnicodeObject. "?" for what cannot be read (a
 * non-compact string, a bad address). */
static void read_str(struct remote_mem *m, const struct py_stack_offsets *so, uint64_t addr,
		     char *out, size_t size)
{
	uint8_t raw[STR_MAX_CHARS * 4];
	uint64_t length;
	uint32_t state, kind;
	size_t n, pos = 0;

	snprintf(out, size, "?");
	if (!addr || !remote_mem__read(m, addr + PY_OB_SIZE, &length, sizeof(length)) ||
	    !remote_mem__read(m, addr + PY_UNICODE_STATE, &state, sizeof(state)))
		return;
	kind = (state >> 2) & 7;
	if (!((state >> 5) & 1) || (kind != 1 && kind != 2 && kind != 4))
		return;
	n = length < STR_MAX_CHARS ? (size_t)length : STR_MAX_CHARS;
	if ((state >> 6) & 1) {
		if (!remote_mem__read(m, addr + so->unicode_ascii_size, raw, n))
			return;
	} else if (!remote_mem__read(m, addr + so->unicode_compact_size, raw, n * kind)) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t cp;
		size_t w;

		if (kind == 1) {
			cp = raw[i];
		} else if (kind == 2) {
			uint16_t u;

			memcpy(&u, raw + i * 2, 2);
			cp = u;
		} else {
			memcpy(&cp, raw + i * 4, 4);
		}
		w = put_utf8(out + pos, size - 1 - pos, cp);
		if (!w)
			break;
		pos += w;
	}
	out[pos] = '\0';
}

/* A bytes object's contents, at most PYCODE_LINETABLE_MAX bytes (a longer table is cut:
 * offsets past the cut have no line). */
static bool read_bytes(struct remote_mem *m, uint64_t addr, uint8_t **out, size_t *size)
{
	int64_t length;

	*out = NULL;
	*size = 0;
	if (!addr || !remote_mem__read(m, addr + PY_OB_SIZE, &length, sizeof(length)) || length < 0)
		return false;
	*size = length < PYCODE_LINETABLE_MAX ? (size_t)length : PYCODE_LINETABLE_MAX;
	if (!*size)
		return true;
	*out = malloc(*size);
	if (!*out || !remote_mem__read(m, addr + PY_BYTES_DATA, *out, *size)) {
		free(*out);
		*out = NULL;
		*size = 0;
		return false;
	}
	return true;
}

static bool read_ptr(struct remote_mem *m, uint64_t addr, uint64_t *out)
{
	return remote_mem__read_u64(m, addr, out);
}

/* The code object's type and identifying fields; false if unreadable or not a code object. */
static bool read_ident(struct remote_mem *m, const struct py_target *t, uint64_t code,
		       struct code_ident *id)
{
	const struct py_stack_offsets *so = &t->off.stack;
	uint64_t type;

	memset(id, 0, sizeof(*id));
	if (!code || !t->code_type_addr || !read_ptr(m, code + PY_OB_TYPE, &type) ||
	    type != t->code_type_addr)
		return false;
	if (!read_ptr(m, code + so->code_filename, &id->filename) ||
	    !read_ptr(m, code + so->code_name, &id->name) ||
	    (so->code_qualname >= 0 && !read_ptr(m, code + (uint32_t)so->code_qualname, &id->qualname)) ||
	    !read_ptr(m, code + so->code_linetable, &id->linetable) ||
	    !remote_mem__read(m, code + so->code_firstlineno, &id->firstlineno,
			      sizeof(id->firstlineno)))
		return false;
	return true;
}

static bool same_ident(const struct code_ident *a, const struct code_ident *b)
{
	return a->filename == b->filename && a->name == b->name && a->qualname == b->qualname &&
	       a->linetable == b->linetable && a->firstlineno == b->firstlineno;
}

/* Decodes the code object into slot i (its old contents, if any, go). */
static bool decode(struct pycode_cache *c, struct remote_mem *m, const struct py_target *t,
		   uint64_t code, const struct code_ident *id, struct pycode_entry *e)
{
	const struct py_stack_offsets *so = &t->off.stack;
	uint8_t *table;
	size_t size;

	if (!read_bytes(m, id->linetable, &table, &size))
		return false;
	free(e->table);
	c->table_bytes += size - e->table_size;
	e->pid = t->pid;
	e->code = code;
	e->id = *id;
	e->table = table;
	e->table_size = size;
	read_str(m, so, so->code_qualname >= 0 ? id->qualname : id->name, e->function,
		 sizeof(e->function));
	read_str(m, so, id->filename, e->file, sizeof(e->file));
	c->decodes++;
	return true;
}

bool pycode__resolve_offset(struct pycode_cache *c, struct remote_mem *m, const struct py_target *t,
			    uint64_t code, int64_t byte_offset, struct py_frame_loc *out)
{
	struct pycode_entry fresh = { 0 }, *e;
	struct code_ident id;
	int32_t i;

	/* Identity first, every time: a stale entry is never used, only replaced or evicted. */
	if (!read_ident(m, t, code, &id))
		return false;
	i = cache_find(c, t->pid, code);
	if (i < 0) {
		if (!decode(c, m, t, code, &id, &fresh))
			return false;
		i = cache_slot(c);
		c->entries[i] = fresh;
		cache_insert(c, i);
	} else {
		if (!same_ident(&c->entries[i].id, &id) && !decode(c, m, t, code, &id, &c->entries[i]))
			return false;
		lru_unlink(c, i);
		lru_push_front(c, i);
	}
	cache_trim(c);
	e = &c->entries[i];
	snprintf(out->function, sizeof(out->function), "%s", e->function);
	snprintf(out->file, sizeof(out->file), "%s", e->file);
	out->line = pycode__line_of(t->off.stack.line_table, e->table, e->table_size,
				    id.firstlineno, byte_offset);
	return true;
}

bool pycode__resolve(struct pycode_cache *c, struct remote_mem *m, const struct py_target *t,
		     uint64_t code, uint64_t instr, struct py_frame_loc *out)
{
	const struct py_stack_offsets *so = &t->off.stack;
	int64_t offset;

	if (so->code_adaptive >= 0)
		offset = (int64_t)(instr - (code + (uint32_t)so->code_adaptive));
	else
		offset = (int64_t)(int32_t)(uint32_t)instr * (int64_t)so->lasti_unit;
	return pycode__resolve_offset(c, m, t, code, offset, out);
}
