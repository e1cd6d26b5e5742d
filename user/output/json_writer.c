// SPDX-License-Identifier: GPL-2.0
#include "output/json_writer.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#define JSONW_MAX_DEPTH 64

struct json_writer {
	FILE *out;
	int depth;
	bool need_comma[JSONW_MAX_DEPTH];
	bool after_name;
};

struct json_writer *jsonw_new(FILE *out)
{
	struct json_writer *w = calloc(1, sizeof(*w));

	if (w)
		w->out = out;
	return w;
}

void jsonw_destroy(struct json_writer **writer)
{
	if (!*writer)
		return;
	assert((*writer)->depth == 0);
	fflush((*writer)->out);
	free(*writer);
	*writer = NULL;
}

/* Writes the separator a new value needs in its container. */
static void begin_value(struct json_writer *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->depth > 0) {
		if (w->need_comma[w->depth])
			fputc(',', w->out);
		w->need_comma[w->depth] = true;
	}
}

static void end_value(struct json_writer *w)
{
	if (w->depth == 0) {
		fputc('\n', w->out);
		fflush(w->out);
	}
}

static void open_container(struct json_writer *w, char bracket)
{
	begin_value(w);
	fputc(bracket, w->out);
	assert(w->depth + 1 < JSONW_MAX_DEPTH);
	w->need_comma[++w->depth] = false;
}

static void close_container(struct json_writer *w, char bracket)
{
	assert(w->depth > 0);
	fputc(bracket, w->out);
	w->depth--;
	end_value(w);
}

void jsonw_start_object(struct json_writer *w) { open_container(w, '{'); }
void jsonw_end_object(struct json_writer *w) { close_container(w, '}'); }
void jsonw_start_array(struct json_writer *w) { open_container(w, '['); }
void jsonw_end_array(struct json_writer *w) { close_container(w, ']'); }

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static int utf8_sequence_length(const unsigned char *s)
{
	int len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void write_escaped(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		int len;

		switch (*s) {
		case '"': fputs("\\\"", out); s++; continue;
		case '\\': fputs("\\\\", out); s++; continue;
		case '\n': fputs("\\n", out); s++; continue;
		case '\t': fputs("\\t", out); s++; continue;
		case '\r': fputs("\\r", out); s++; continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s++);
			continue;
		}
		len = utf8_sequence_length(s);
		if (!len) {
			fputs("\\ufffd", out);
			s++;
			continue;
		}
		fwrite(s, 1, (size_t)len, out);
		s += len;
	}
	fputc('"', out);
}

void jsonw_name(struct json_writer *w, const char *name)
{
	assert(w->depth > 0 && !w->after_name);
	begin_value(w);
	write_escaped(w->out, name);
	fputc(':', w->out);
	w->after_name = true;
}

void jsonw_string(struct json_writer *w, const char *value)
{
	begin_value(w);
	write_escaped(w->out, value ? value : "");
	end_value(w);
}

void jsonw_uint(struct json_writer *w, uint64_t value)
{
	begin_value(w);
	fprintf(w->out, "%" PRIu64, value);
	end_value(w);
}

void jsonw_int(struct json_writer *w, int64_t value)
{
	begin_value(w);
	fprintf(w->out, "%" PRId64, value);
	end_value(w);
}

void jsonw_double(struct json_writer *w, double value)
{
	begin_value(w);
	if (isfinite(value))
		fprintf(w->out, "%.17g", value);
	else
		fputs("null", w->out);
	end_value(w);
}

void jsonw_bool(struct json_writer *w, bool value)
{
	begin_value(w);
	fputs(value ? "true" : "false", w->out);
	end_value(w);
}

void jsonw_null(struct json_writer *w)
{
	begin_value(w);
	fputs("null", w->out);
	end_value(w);
}

void jsonw_string_field(struct json_writer *w, const char *name, const char *value)
{
	jsonw_name(w, name);
	jsonw_string(w, value);
}

void jsonw_uint_field(struct json_writer *w, const char *name, uint64_t value)
{
	jsonw_name(w, name);
	jsonw_uint(w, value);
}

void jsonw_int_field(struct json_writer *w, const char *name, int64_t value)
{
	jsonw_name(w, name);
	jsonw_int(w, value);
}

void jsonw_double_field(struct json_writer *w, const char *name, double value)
{
	jsonw_name(w, name);
	jsonw_double(w, value);
}

void jsonw_bool_field(struct json_writer *w, const char *name, bool value)
{
	jsonw_name(w, name);
	jsonw_bool(w, value);
}

void jsonw_null_field(struct json_writer *w, const char *name)
{
	jsonw_name(w, name);
	jsonw_null(w);
}

void jsonw_string_array_field(struct json_writer *w, const char *name, char *const *items,
			      size_t count)
{
	jsonw_name(w, name);
	jsonw_start_array(w);
	for (size_t i = 0; i < count; i++)
		jsonw_string(w, items[i]);
	jsonw_end_array(w);
}
