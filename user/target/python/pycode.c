// SPDX-License-Identifier: GPL-2.0
#include "target/python/pycode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Code objects named, per process: a code object lives as long as its function, so a
 * process has as many as the distinct functions its stacks ran. Past the cap the cache
 * starts over (a re-read costs a few reads of the target's memory). */
#define PYCODE_CACHE_MAX 4096
#define PYCODE_LINETABLE_MAX (256u << 10)
#define PYCODE_HEADER_MAX 256     /* bytes of a code object read to check and name it */

/* What tells one code object from another that took its address after it was freed. */
struct code_identity {
	uint64_t type, filename, name, qualname, linetable;
	int32_t firstlineno;
};

struct code_entry {
	uint64_t addr;
	struct code_identity id;
	char function[160];
	char file[512];
	unsigned char *linetable;
	size_t linetable_size;
};

struct pycode_cache {
	struct code_entry *entries;  /* unsorted; a linear scan is enough for a few thousand */
	size_t count;
	uint64_t code_type;          /* &PyCode_Type, found at first use */
	bool code_type_known;
};

struct pycode_cache *pycode_cache__new(void)
{
	return calloc(1, sizeof(struct pycode_cache));
}

static void clear(struct pycode_cache *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->entries[i].linetable);
	c->count = 0;
}

void pycode_cache__free(struct pycode_cache *c)
{
	if (!c)
		return;
	clear(c);
	free(c->entries);
	free(c);
}

/* --- line tables --------------------------------------------------------------------- */

/* 3.8, 3.9 co_lnotab: (byte delta, signed line delta) pairs; a pair's line applies from its
 * address on. */
static int line_lnotab(const unsigned char *t, size_t n, int line, int64_t offset)
{
	int64_t addr = 0;

	for (size_t i = 0; i + 1 < n; i += 2) {
		addr += t[i];
		if (addr > offset)
			break;
		line += (signed char)t[i + 1];
	}
	return line;
}

/* 3.10 co_linetable (PEP 626): (byte length, signed line delta) entries, -128: no line. */
static int line_pep626(const unsigned char *t, size_t n, int line, int64_t offset)
{
	int64_t start = 0;

	for (size_t i = 0; i + 1 < n; i += 2) {
		int64_t end = start + t[i];
		int delta = (signed char)t[i + 1];

		if (delta != -128)
			line += delta;
		if (offset >= start && offset < end)
			return delta == -128 ? -1 : line;
		start = end;
	}
	return -1;
}

static uint32_t read_varint(const unsigned char *t, size_t n, size_t *i)
{
	uint32_t v = 0;
	int shift = 0;

	while (*i < n) {
		unsigned char b = t[(*i)++];

		v |= (uint32_t)(b & 63) << shift;
		shift += 6;
		if (!(b & 64) || shift > 30)
			break;
	}
	return v;
}

static int32_t read_svarint(const unsigned char *t, size_t n, size_t *i)
{
	uint32_t v = read_varint(t, n, i);

	return v & 1 ? -(int32_t)(v >> 1) : (int32_t)(v >> 1);
}

/* 3.11+ location table (CPython's Objects/locations.md): entries of a first byte 1CCCCLLL
 * (code C, L+1 code units), then the code's operands. Only the line matters here. */
static int line_locations(const unsigned char *t, size_t n, int line, int64_t offset)
{
	int64_t unit = offset / 2, start = 0;
	size_t i = 0;

	while (i < n) {
		unsigned char first = t[i++];
		int code = (first >> 3) & 15, entry_line;
		int64_t end = start + (first & 7) + 1;

		if (!(first & 128))
			return -1;               /* not at an entry's start: a table we misread */
		switch (code) {
		case 15:                         /* no location */
			entry_line = -1;
			break;
		case 14:                         /* long form */
			line += read_svarint(t, n, &i);
			read_varint(t, n, &i);   /* end line delta */
			read_varint(t, n, &i);   /* column + 1 */
			read_varint(t, n, &i);   /* end column + 1 */
			entry_line = line;
			break;
		case 13:                         /* no column */
			line += read_svarint(t, n, &i);
			entry_line = line;
			break;
		case 10: case 11: case 12:       /* one line: delta code - 10, two column bytes */
			line += code - 10;
			i += 2;
			entry_line = line;
			break;
		default:                         /* short form: same line, one column byte */
			i += 1;
			entry_line = line;
			break;
		}
		if (unit >= start && unit < end)
			return entry_line;
		start = end;
	}
	return -1;
}

int pycode__line_of(enum py_line_table kind, const unsigned char *table, size_t size,
		    int firstlineno, int64_t byte_offset)
{
	if (byte_offset < 0)
		return firstlineno;          /* not started: the definition's line */
	switch (kind) {
	case PY_LINE_TABLE_LNOTAB:
		return line_lnotab(table, size, firstlineno, byte_offset);
	case PY_LINE_TABLE_PEP626:
		return line_pep626(table, size, firstlineno, byte_offset);
	case PY_LINE_TABLE_LOCATIONS:
		return line_locations(table, size, firstlineno, byte_offset);
	}
	return -1;
}

/* --- objects ------------------------------------------------------------------------- */

static size_t put_utf8(char *buf, size_t at, size_t size, uint32_t cp)
{
	unsigned char tmp[4];
	size_t n;

	if (cp < 0x80) {
		tmp[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = 0xc0 | (cp >> 6);
		tmp[1] = 0x80 | (cp & 63);
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = 0xe0 | (cp >> 12);
		tmp[1] = 0x80 | ((cp >> 6) & 63);
		tmp[2] = 0x80 | (cp & 63);
		n = 3;
	} else {
		tmp[0] = 0xf0 | (cp >> 18);
		tmp[1] = 0x80 | ((cp >> 12) & 63);
		tmp[2] = 0x80 | ((cp >> 6) & 63);
		tmp[3] = 0x80 | (cp & 63);
		n = 4;
	}
	if (at + n >= size)
		return 0;
	memcpy(buf + at, tmp, n);
	return n;
}

bool pycode__read_str(struct remote_mem *m, const struct py_stack_offsets *o, uint64_t addr,
		      char *buf, size_t size)
{
	uint64_t length;
	uint32_t state, kind;
	unsigned char chunk[4096];
	size_t out = 0, bytes;

	if (!size || !remote_mem__read_u64(m, addr + 16, &length) ||
	    !remote_mem__read(m, addr + PY_UNICODE_STATE, &state, sizeof(state)))
		return false;
	kind = (state >> 2) & 7;
	if (!((state >> 5) & 1) || (kind != 1 && kind != 2 && kind != 4))
		return false;                /* not compact: code objects hold compact strings */
	if (length > sizeof(chunk) / kind)
		length = sizeof(chunk) / kind;
	bytes = (size_t)length * kind;
	if (!remote_mem__read(m, addr + ((state >> 6) & 1 ? o->unicode_ascii_size :
					  o->unicode_compact_size), chunk, bytes))
		return false;
	for (size_t i = 0; i < length; i++) {
		uint32_t cp = kind == 1 ? chunk[i] :
			      kind == 2 ? ((uint16_t *)chunk)[i] : ((uint32_t *)chunk)[i];
		size_t n = put_utf8(buf, out, size, cp);

		if (!n)
			break;
		out += n;
	}
	buf[out] = 0;
	return true;
}

/* One uncached read: the identity must be today's, not a cached chunk's. */
static bool read_identity(pid_t pid, const struct py_stack_offsets *o, uint64_t code,
			  struct code_identity *id)
{
	uint32_t span = o->code_linetable > o->code_filename ? o->code_linetable : o->code_filename;
	unsigned char h[PYCODE_HEADER_MAX];

	span += 8;
	if (span > sizeof(h) || !remote_read_direct(pid, code, h, span))
		return false;
	memset(id, 0, sizeof(*id));
	memcpy(&id->type, h + 8, 8);
	memcpy(&id->filename, h + o->code_filename, 8);
	memcpy(&id->name, h + o->code_name, 8);
	if (o->code_qualname >= 0)
		memcpy(&id->qualname, h + o->code_qualname, 8);
	memcpy(&id->linetable, h + o->code_linetable, 8);
	memcpy(&id->firstlineno, h + o->code_firstlineno, 4);
	return true;
}

static bool read_bytes_object(struct remote_mem *m, uint64_t addr, unsigned char **out,
			      size_t *size)
{
	uint64_t n;

	*out = NULL;
	*size = 0;
	if (!remote_mem__read_u64(m, addr + 16, &n) || n > PYCODE_LINETABLE_MAX)
		return false;
	if (!n)
		return true;
	*out = malloc(n);
	if (!*out || !remote_mem__read(m, addr + PY_BYTES_DATA, *out, n)) {
		free(*out);
		*out = NULL;
		return false;
	}
	*size = n;
	return true;
}

static struct code_entry *find(struct pycode_cache *c, uint64_t addr)
{
	for (size_t i = 0; i < c->count; i++)
		if (c->entries[i].addr == addr)
			return &c->entries[i];
	return NULL;
}

static struct code_entry *load(struct pycode_cache *c, struct remote_mem *m,
			       const struct py_target *t, uint64_t addr,
			       const struct code_identity *id)
{
	const struct py_stack_offsets *o = &t->off.stack;
	struct code_entry e = { .addr = addr, .id = *id };

	if (!pycode__read_str(m, o, id->qualname ? id->qualname : id->name, e.function,
			      sizeof(e.function)))
		snprintf(e.function, sizeof(e.function), "?");
	if (!pycode__read_str(m, o, id->filename, e.file, sizeof(e.file)))
		snprintf(e.file, sizeof(e.file), "?");
	read_bytes_object(m, id->linetable, &e.linetable, &e.linetable_size);
	if (c->count == PYCODE_CACHE_MAX)
		clear(c);
	if (!c->entries && !(c->entries = calloc(PYCODE_CACHE_MAX, sizeof(*c->entries)))) {
		free(e.linetable);
		return NULL;
	}
	c->entries[c->count] = e;
	return &c->entries[c->count++];
}

bool pycode__resolve_offset(struct pycode_cache *c, struct remote_mem *m, const struct py_target *t,
			    uint64_t code, int64_t byte_offset, struct py_frame_loc *out)
{
	struct code_identity id;
	struct code_entry *e;

	if (!c || !code)
		return false;
	if (!c->code_type_known) {
		c->code_type = py_target__symbol(t, "PyCode_Type", false);
		c->code_type_known = true;
	}
	/* Read every time: an address freed and taken by another code object shows here. */
	if (!read_identity(t->pid, &t->off.stack, code, &id) || (c->code_type && id.type != c->code_type))
		return false;
	e = find(c, code);
	if (e && memcmp(&e->id, &id, sizeof(id))) {
		free(e->linetable);
		*e = c->entries[--c->count];   /* another code object now: forget the old one */
		e = NULL;
	}
	if (!e && !(e = load(c, m, t, code, &id)))
		return false;
	snprintf(out->function, sizeof(out->function), "%s", e->function);
	snprintf(out->file, sizeof(out->file), "%s", e->file);
	out->line = pycode__line_of(t->off.stack.line_table, e->linetable, e->linetable_size,
				    e->id.firstlineno, byte_offset);
	return true;
}

bool pycode__resolve(struct pycode_cache *c, struct remote_mem *m, const struct py_target *t,
		     uint64_t code, uint64_t instr, struct py_frame_loc *out)
{
	const struct py_stack_offsets *o = &t->off.stack;
	int64_t offset;

	if (o->interpreter_frames) {
		uint64_t start = code + (uint64_t)o->code_adaptive;

		offset = instr >= start ? (int64_t)(instr - start) : -1;
	} else {
		offset = (int64_t)instr < 0 ? -1 : (int64_t)instr * o->lasti_unit;
	}
	return pycode__resolve_offset(c, m, t, code, offset, out);
}
