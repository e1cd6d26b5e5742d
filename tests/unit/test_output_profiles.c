/* --pprof and --folded from synthetic summaries: the protobuf encoder's exact bytes, the
 * folded lines (escapes, merging, order), and pprof files (native and Python frames) decoded
 * back field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "output/output.h"
#include "output/pprof/protobuf.h"

static void encodes_varints_packed_and_nested_fields(void **state)
{
	struct pb_message m = { 0 }, sub = { 0 };
	const uint64_t packed[] = { 1, 300 };
	const uint8_t expected[] = {
		0x08, 0xac, 0x02,                  /* field 1 = 300 */
		0x12, 0x03, 0x01, 0xac, 0x02,      /* field 2 packed [1, 300] */
		0x32, 0x00,                        /* field 6 = "" (an empty string is written) */
		0x32, 0x02, 'h', 'i',              /* field 6 = "hi" */
		0x22, 0x02, 0x08, 0x07,            /* field 4 = { field 1 = 7 } */
		0x80, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	};                                         /* field 16 = 2^64 - 1: two-byte tag, ten bytes */

	(void)state;
	pb_uint(&m, 1, 300);
	pb_uint(&m, 3, 0);                         /* left out */
	pb_packed(&m, 2, packed, 2);
	pb_string(&m, 6, "");
	pb_string(&m, 6, "hi");
	pb_uint(&sub, 1, 7);
	pb_submessage(&m, 4, &sub);
	pb_uint(&m, 16, UINT64_MAX);
	assert_false(m.failed);
	assert_int_equal(m.len, sizeof(expected));
	assert_memory_equal(m.data, expected, sizeof(expected));
	pb_free(&m);
	pb_free(&sub);
}

/* --- a synthetic summary -------------------------------------------------------------- */

#define MODULE "/usr/bin/prog"

static struct stack_frame part(uint64_t ip, const char *function, const char *module)
{
	return (struct stack_frame){
		.ip = ip, .function = function, .module = module,
		.module_start = module ? 0x1000 : 0, .module_limit = module ? 0x9000 : 0,
		.module_offset = module ? 0x1000 : 0,
	};
}

/* frames innermost first: names (NULL: no symbol) at ips; the printed strings beside. */
static void add_stack(struct process_report *r, uint64_t live_bytes, uint64_t live_allocs,
		      uint64_t bytes, uint64_t allocs, size_t depth, const uint64_t *ips,
		      const char *const *names)
{
	struct stack_report *s = &r->stacks[r->stack_count++];
	char text[128];

	*s = (struct stack_report){ .stack_id = (int)r->stack_count, .live_bytes = live_bytes,
				    .live_allocs = live_allocs, .bytes_allocated = bytes,
				    .allocs = allocs, .depth = depth };
	s->frames = calloc(depth, sizeof(*s->frames));
	s->parts = calloc(depth, sizeof(*s->parts));
	for (size_t f = 0; f < depth; f++) {
		if (names[f])
			snprintf(text, sizeof(text), "%s+0x10 (prog)", names[f]);
		else
			snprintf(text, sizeof(text), "prog+0x%llx", (unsigned long long)ips[f]);
		s->frames[f] = strdup(text);
		s->parts[f] = part(ips[f], names[f], MODULE);
	}
}

/* Four stacks: two call sites in one function (one folded line), a name with a ';', an
 * unnamed frame, and a stack whose blocks were all freed. */
static void make_report(struct process_report *r)
{
	static const uint64_t site_a[] = { 0x1100, 0x1500 }, site_b[] = { 0x1120, 0x1500 };
	static const uint64_t odd[] = { 0x1200, 0x1300, 0x1500 }, freed[] = { 0x1400, 0x1510 };
	static const char *const leak[] = { "leak", "main" };
	static const char *const odd_names[] = { "op;er", NULL, "main" };

	*r = (struct process_report){ .pid = 42, .elapsed_ns = 2000000000ull };
	snprintf(r->comm, sizeof(r->comm), "prog");
	r->stacks = calloc(4, sizeof(*r->stacks));
	add_stack(r, 1000, 10, 2000, 20, 2, site_a, leak);
	add_stack(r, 500, 5, 500, 5, 2, site_b, leak);
	add_stack(r, 30, 3, 30, 3, 3, odd, odd_names);
	add_stack(r, 0, 0, 4096, 1, 2, freed, leak);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 4096);

	assert_non_null(f);
	assert_true(fread(text, 1, 4095, f) < 4095);
	fclose(f);
	return text;
}

static void folded_merges_escapes_and_skips_freed_stacks(void **state)
{
	char path[] = "/tmp/memtrace-folded-XXXXXX";
	struct process_report r;
	struct output *out;
	char *text;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	out = folded_output__new(path);
	assert_non_null(out);
	assert_true(out->all_stacks);
	make_report(&r);
	output__summary(out, &r);
	snprintf(r.comm, sizeof(r.comm), "prog");   /* a second process of the same program */
	r.stack_count = 1;
	output__summary(out, &r);
	r.stack_count = 4;
	output__destroy(out);
	text = read_file(path);
	/* Sorted; leak's two sites and the second process add up: 1000 + 500 + 1000. */
	assert_string_equal(text, "prog;main;leak 2500\n"
				  "prog;main;prog+0x1300;op:er 30\n");
	free(text);
	process_report__free_stacks(&r);
	unlink(path);
}

/* --- reading the profile back ---------------------------------------------------------- */

struct field {
	uint32_t number;
	uint64_t value;              /* a varint's value, or a length-delimited field's length */
	const uint8_t *data;         /* length-delimited: its bytes; NULL for a varint */
};

static uint64_t read_varint(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;

	for (int shift = 0; *p < end; shift += 7) {
		uint8_t b = *(*p)++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	fail_msg("truncated varint");
	return 0;
}

/* The next field of [*p, end), false at the end. */
static bool next_field(const uint8_t **p, const uint8_t *end, struct field *f)
{
	uint64_t tag;

	if (*p >= end)
		return false;
	tag = read_varint(p, end);
	f->number = (uint32_t)(tag >> 3);
	f->value = read_varint(p, end);
	f->data = NULL;
	if ((tag & 7) == 2) {
		assert_true(f->value <= (uint64_t)(end - *p));
		f->data = *p;
		*p += f->value;
	} else {
		assert_int_equal(tag & 7, 0);
	}
	return true;
}

/* The varint field number of message [data, data + len), 0 if absent. */
static uint64_t uint_field(const uint8_t *data, uint64_t len, uint32_t number)
{
	const uint8_t *p = data;
	struct field f;

	while (next_field(&p, data + len, &f))
		if (f.number == number && !f.data)
			return f.value;
	return 0;
}

struct decoded {
	char *strings[64];
	size_t string_count;
	uint64_t location_function[64];  /* by location id: its function id (0: no line) */
	uint64_t location_line[64], location_mapping[64], location_count;
	uint64_t function_name[64];      /* by function id: its name's string */
	uint64_t function_system_name[64], function_file[64], function_count;
	uint64_t values[8][4], leaf_location[8], depth[8], locations[8][16];
	size_t sample_count;
	uint64_t mapping_file, mapping_named, mapping_count, default_type;
};

static void decode_location(struct decoded *d, const struct field *f)
{
	const uint8_t *p = f->data;
	uint64_t id = uint_field(f->data, f->value, 1);
	struct field g;

	assert_true(id > 0 && id < 64);
	d->location_count++;
	d->location_mapping[id] = uint_field(f->data, f->value, 2);
	while (next_field(&p, f->data + f->value, &g))
		if (g.number == 4) {
			d->location_function[id] = uint_field(g.data, g.value, 1);
			d->location_line[id] = uint_field(g.data, g.value, 2);
		}
}

static void decode_function(struct decoded *d, const struct field *f)
{
	uint64_t id = uint_field(f->data, f->value, 1);

	assert_true(id > 0 && id < 64);
	d->function_count++;
	d->function_name[id] = uint_field(f->data, f->value, 2);
	d->function_system_name[id] = uint_field(f->data, f->value, 3);
	d->function_file[id] = uint_field(f->data, f->value, 4);
}

static void decode_sample(struct decoded *d, const struct field *f)
{
	const uint8_t *p = f->data;
	struct field g;
	size_t s = d->sample_count++;

	while (next_field(&p, f->data + f->value, &g)) {
		const uint8_t *q = g.data;

		for (size_t i = 0; q < g.data + g.value; i++) {
			uint64_t v = read_varint(&q, g.data + g.value);

			if (g.number == 1 && i == 0)
				d->leaf_location[s] = v;
			if (g.number == 1 && d->depth[s] < 16)
				d->locations[s][d->depth[s]] = v;
			if (g.number == 1)
				d->depth[s]++;
			else if (i < 4)
				d->values[s][i] = v;
		}
	}
}

static void decode(struct decoded *d, const uint8_t *data, size_t len)
{
	const uint8_t *p = data;
	struct field f;

	memset(d, 0, sizeof(*d));
	while (next_field(&p, data + len, &f)) {
		if (f.number == 2)
			decode_sample(d, &f);
		else if (f.number == 3) {
			d->mapping_count++;
			d->mapping_file = uint_field(f.data, f.value, 5);
			d->mapping_named = uint_field(f.data, f.value, 7);
		} else if (f.number == 4)
			decode_location(d, &f);
		else if (f.number == 5)
			decode_function(d, &f);
		else if (f.number == 6)
			d->strings[d->string_count++] = strndup((const char *)f.data, f.value);
		else if (f.number == 14)
			d->default_type = f.value;
	}
}

static const char *leaf_name(const struct decoded *d, size_t sample)
{
	uint64_t function = d->location_function[d->leaf_location[sample]];

	return function ? d->strings[d->function_name[function]] : "(none)";
}

static void pprof_profile_decodes_to_the_summary(void **state)
{
	char path[] = "/tmp/memtrace-pprof-XXXXXX";
	uint8_t data[1 << 16];
	struct process_report r;
	struct output *out;
	struct decoded d;
	gzFile gz;
	int len, fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	out = pprof_output__new(path, false);
	assert_non_null(out);
	assert_true(out->all_stacks);
	make_report(&r);
	output__summary(out, &r);
	output__destroy(out);
	gz = gzopen(path, "rb");
	assert_non_null(gz);
	len = gzread(gz, data, sizeof(data));
	assert_true(gzdirect(gz) == 0);   /* it was gzip'd */
	gzclose(gz);
	assert_true(len > 0);
	decode(&d, data, (size_t)len);

	assert_string_equal(d.strings[0], "");
	for (size_t i = 1; i < d.string_count; i++)   /* sorted, each once */
		assert_true(strcmp(d.strings[i - 1], d.strings[i]) < 0);
	assert_string_equal(d.strings[d.default_type], "inuse_space");
	assert_int_equal(d.sample_count, 4);
	/* alloc_objects, alloc_space, inuse_objects, inuse_space of each stack, in order. */
	assert_int_equal(d.values[0][0], 20);
	assert_int_equal(d.values[0][1], 2000);
	assert_int_equal(d.values[0][2], 10);
	assert_int_equal(d.values[0][3], 1000);
	assert_int_equal(d.values[3][1], 4096);    /* the freed stack: allocated, none in use */
	assert_int_equal(d.values[3][3], 0);
	assert_string_equal(leaf_name(&d, 0), "leak");
	assert_string_equal(leaf_name(&d, 1), "leak");
	assert_string_equal(leaf_name(&d, 2), "op;er");   /* pprof's names are not escaped */
	assert_int_equal(d.depth[2], 3);
	/* One mapping; an address in it has no name, so pprof may still symbolize it. */
	assert_int_equal(d.mapping_count, 1);
	assert_string_equal(d.strings[d.mapping_file], MODULE);
	assert_int_equal(d.mapping_named, 0);
	for (size_t i = 0; i < d.string_count; i++)
		free(d.strings[i]);
	process_report__free_stacks(&r);
	unlink(path);
}

/* The profile of r, decoded. */
static void write_and_decode(struct process_report *r, struct decoded *d)
{
	char path[] = "/tmp/memtrace-pprof-XXXXXX";
	uint8_t data[1 << 16];
	struct output *out;
	gzFile gz;
	int len, fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	out = pprof_output__new(path, false);
	assert_non_null(out);
	output__summary(out, r);
	output__destroy(out);
	gz = gzopen(path, "rb");
	assert_non_null(gz);
	len = gzread(gz, data, sizeof(data));
	gzclose(gz);
	assert_true(len > 0);
	decode(d, data, (size_t)len);
	unlink(path);
}

static void set_python(struct stack_report *s, size_t depth, const struct python_frame *frames)
{
	s->python.frames = calloc(depth, sizeof(*s->python.frames));
	memcpy(s->python.frames, frames, depth * sizeof(*frames));
	s->python.depth = depth;
}

/* Python frames follow the native ones, innermost first; a (function, file, line) is one
 * location, a (function, file) one function with its file, no system name, no mapping. */
static void pprof_python_frames_follow_the_native_ones(void **state)
{
	static const uint64_t ips_a[] = { 0x1100, 0x1500 }, ips_b[] = { 0x1120 };
	static const char *const names_a[] = { "PyObject_Malloc", "main" };
	static const char *const names_b[] = { "PyObject_Malloc" };
	static const struct python_frame at_13[] = {
		{ "make_leak", "/app/mod.py", 13 }, { "<module>", "/app/svc.py", 40 },
	}, at_14[] = {
		{ "make_leak", "/app/mod.py", 14 }, { "make_leak", "/app/other.py", -1 },
		{ "<module>", "/app/svc.py", 40 },
	};
	struct process_report r;
	struct decoded d;
	const uint64_t *a, *b;

	(void)state;
	r = (struct process_report){ .pid = 7, .elapsed_ns = 1000000000ull };
	snprintf(r.comm, sizeof(r.comm), "python3");
	r.stacks = calloc(3, sizeof(*r.stacks));
	add_stack(&r, 4096, 1, 4096, 1, 2, ips_a, names_a);
	set_python(&r.stacks[0], 2, at_13);
	add_stack(&r, 8192, 2, 8192, 2, 1, ips_b, names_b);
	set_python(&r.stacks[1], 2, at_13);
	add_stack(&r, 100, 1, 100, 1, 1, ips_b, names_b);
	set_python(&r.stacks[2], 3, at_14);
	write_and_decode(&r, &d);

	assert_int_equal(d.sample_count, 3);
	/* 3 native addresses, 4 distinct Python (function, file, line). */
	assert_int_equal(d.location_count, 7);
	/* PyObject_Malloc, main; make_leak twice (two files), <module>. */
	assert_int_equal(d.function_count, 5);
	a = d.locations[0];
	b = d.locations[1];
	assert_int_equal(d.depth[0], 4);
	assert_int_equal(d.depth[1], 3);
	assert_int_equal(d.depth[2], 4);
	assert_string_equal(d.strings[d.function_name[d.location_function[a[0]]]], "PyObject_Malloc");
	assert_string_equal(d.strings[d.function_name[d.location_function[a[1]]]], "main");
	assert_int_not_equal(d.location_mapping[a[0]], 0);
	/* The Python frames after the native ones, and one location for both stacks. */
	assert_int_equal(a[2], b[1]);
	assert_int_equal(a[3], b[2]);
	for (size_t i = 2; i < 4; i++) {
		uint64_t fn = d.location_function[a[i]];

		assert_int_equal(d.location_mapping[a[i]], 0);
		assert_int_equal(d.location_line[a[i]], at_13[i - 2].line);
		assert_string_equal(d.strings[d.function_name[fn]], at_13[i - 2].function);
		assert_string_equal(d.strings[d.function_file[fn]], at_13[i - 2].file);
		assert_int_equal(d.function_system_name[fn], 0);
	}
	/* Line 14 of make_leak: a location of its own, the same function as line 13's. */
	assert_int_not_equal(d.locations[2][1], a[2]);
	assert_int_equal(d.location_line[d.locations[2][1]], 14);
	assert_int_equal(d.location_function[d.locations[2][1]], d.location_function[a[2]]);
	/* An unknown line is pprof's 0; make_leak of another file is another function. */
	assert_int_equal(d.location_line[d.locations[2][2]], 0);
	assert_string_equal(d.strings[d.function_file[d.location_function[d.locations[2][2]]]],
			    "/app/other.py");
	assert_int_equal(d.locations[2][3], a[3]);
	/* Native functions keep their system name and have no file. */
	assert_int_equal(d.function_system_name[d.location_function[a[0]]],
			 d.function_name[d.location_function[a[0]]]);
	assert_int_equal(d.function_file[d.location_function[a[0]]], 0);
	for (size_t i = 0; i < d.string_count; i++)
		free(d.strings[i]);
	process_report__free_stacks(&r);
}

static void pprof_file_without_a_summary_is_removed(void **state)
{
	char path[] = "/tmp/memtrace-pprof-XXXXXX";
	int fd = mkstemp(path);
	struct output *out;

	(void)state;
	close(fd);
	out = pprof_output__new(path, false);
	assert_non_null(out);
	output__destroy(out);
	assert_int_not_equal(access(path, F_OK), 0);
}

/* Only a regular file is removed: --pprof /dev/null leaves the device. */
static void pprof_device_without_a_summary_stays(void **state)
{
	struct output *out = pprof_output__new("/dev/null", false);
	struct stat st;

	(void)state;
	assert_non_null(out);
	output__destroy(out);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodes_varints_packed_and_nested_fields),
		cmocka_unit_test(folded_merges_escapes_and_skips_freed_stacks),
		cmocka_unit_test(pprof_profile_decodes_to_the_summary),
		cmocka_unit_test(pprof_python_frames_follow_the_native_ones),
		cmocka_unit_test(pprof_file_without_a_summary_is_removed),
		cmocka_unit_test(pprof_device_without_a_summary_stays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
