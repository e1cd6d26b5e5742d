/* --pprof and --folded from synthetic summaries: the protobuf encoder's exact bytes, the
 * folded lines (escapes, merging, order), and a pprof file decoded back field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	uint64_t function_name[64];      /* by function id: its name's string */
	uint64_t values[8][4], leaf_location[8], depth[8];
	size_t sample_count;
	uint64_t mapping_file, mapping_named, mapping_count, default_type;
};

static void decode_location(struct decoded *d, const struct field *f)
{
	const uint8_t *p = f->data;
	uint64_t id = uint_field(f->data, f->value, 1);
	struct field g;

	assert_true(id > 0 && id < 64);
	while (next_field(&p, f->data + f->value, &g))
		if (g.number == 4)
			d->location_function[id] = uint_field(g.data, g.value, 1);
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
			d->function_name[uint_field(f.data, f.value, 1)] = uint_field(f.data, f.value, 2);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodes_varints_packed_and_nested_fields),
		cmocka_unit_test(folded_merges_escapes_and_skips_freed_stacks),
		cmocka_unit_test(pprof_profile_decodes_to_the_summary),
		cmocka_unit_test(pprof_file_without_a_summary_is_removed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
