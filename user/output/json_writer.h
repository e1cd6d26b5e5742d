/* A small streaming JSON writer for NDJSON: each top-level value ends with a newline.
 * Strings are escaped fully (every control byte, quotes, backslash); invalid UTF-8 bytes
 * become U+FFFD so a line is always valid JSON. */
#ifndef MEMTRACE_JSON_WRITER_H
#define MEMTRACE_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

struct json_writer *jsonw_new(FILE *out);
/* Asserts that every object and array was closed. */
void jsonw_destroy(struct json_writer **writer);

void jsonw_start_object(struct json_writer *w);
void jsonw_end_object(struct json_writer *w);
void jsonw_start_array(struct json_writer *w);
void jsonw_end_array(struct json_writer *w);
void jsonw_name(struct json_writer *w, const char *name);

void jsonw_string(struct json_writer *w, const char *value);
void jsonw_uint(struct json_writer *w, uint64_t value);
void jsonw_int(struct json_writer *w, int64_t value);
void jsonw_double(struct json_writer *w, double value); /* NaN and infinities become null */
void jsonw_bool(struct json_writer *w, bool value);
void jsonw_null(struct json_writer *w);

void jsonw_string_field(struct json_writer *w, const char *name, const char *value);
void jsonw_uint_field(struct json_writer *w, const char *name, uint64_t value);
void jsonw_int_field(struct json_writer *w, const char *name, int64_t value);
void jsonw_double_field(struct json_writer *w, const char *name, double value);
void jsonw_bool_field(struct json_writer *w, const char *name, bool value);
void jsonw_null_field(struct json_writer *w, const char *name);
/* "name": ["item", ...]: a stack's frames, say. */
void jsonw_string_array_field(struct json_writer *w, const char *name, char *const *items,
			      size_t count);

#endif
