// SPDX-License-Identifier: GPL-2.0
#include "output/pprof/protobuf.h"

#include <stdlib.h>
#include <string.h>

enum { WIRE_VARINT = 0, WIRE_LENGTH_DELIMITED = 2 };

static bool reserve(struct pb_message *m, size_t more)
{
	size_t cap = m->cap ? m->cap : 256;
	uint8_t *data;

	if (m->failed)
		return false;
	if (m->len + more <= m->cap)
		return true;
	while (cap < m->len + more)
		cap *= 2;
	data = realloc(m->data, cap);
	if (!data) {
		m->failed = true;
		return false;
	}
	m->data = data;
	m->cap = cap;
	return true;
}

static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	for (; v >= 0x80; v >>= 7)
		n++;
	return n;
}

/* Seven bits a byte, least significant first, the high bit set on all but the last. */
static void put_varint(struct pb_message *m, uint64_t v)
{
	if (!reserve(m, varint_size(v)))
		return;
	for (; v >= 0x80; v >>= 7)
		m->data[m->len++] = (uint8_t)(v | 0x80);
	m->data[m->len++] = (uint8_t)v;
}

static void put_tag(struct pb_message *m, uint32_t field, int wire_type)
{
	put_varint(m, (uint64_t)field << 3 | (uint64_t)wire_type);
}

void pb_uint(struct pb_message *m, uint32_t field, uint64_t value)
{
	if (!value)
		return;
	put_tag(m, field, WIRE_VARINT);
	put_varint(m, value);
}

void pb_packed(struct pb_message *m, uint32_t field, const uint64_t *values, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += varint_size(values[i]);
	put_tag(m, field, WIRE_LENGTH_DELIMITED);
	put_varint(m, len);
	for (size_t i = 0; i < n; i++)
		put_varint(m, values[i]);
}

void pb_bytes(struct pb_message *m, uint32_t field, const void *data, size_t len)
{
	put_tag(m, field, WIRE_LENGTH_DELIMITED);
	put_varint(m, len);
	if (len && reserve(m, len)) {
		memcpy(m->data + m->len, data, len);
		m->len += len;
	}
}

void pb_string(struct pb_message *m, uint32_t field, const char *s)
{
	pb_bytes(m, field, s, strlen(s));
}

void pb_submessage(struct pb_message *m, uint32_t field, const struct pb_message *sub)
{
	if (sub->failed)
		m->failed = true;
	pb_bytes(m, field, sub->data, sub->len);
}

void pb_clear(struct pb_message *m)
{
	m->len = 0;
}

void pb_free(struct pb_message *m)
{
	free(m->data);
	*m = (struct pb_message){ 0 };
}
