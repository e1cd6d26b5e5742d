// SPDX-License-Identifier: GPL-2.0
/* Heap profiles in pprof's format (github.com/google/pprof, proto/profile.proto): a gzip'd
 * Profile message per process, written at its summary; docs/outputs.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "output/output.h"
#include "output/pprof/protobuf.h"
#include "python_stack.h"

/* Field numbers of profile.proto. */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE, PROFILE_MAPPING, PROFILE_LOCATION,
	PROFILE_FUNCTION, PROFILE_STRING_TABLE, PROFILE_TIME_NANOS = 9, PROFILE_DURATION_NANOS,
	PROFILE_PERIOD_TYPE, PROFILE_PERIOD, PROFILE_COMMENT, PROFILE_DEFAULT_SAMPLE_TYPE,
};
enum { VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT };
enum { SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE };
enum {
	MAPPING_ID = 1, MAPPING_MEMORY_START, MAPPING_MEMORY_LIMIT, MAPPING_FILE_OFFSET,
	MAPPING_FILENAME, MAPPING_HAS_FUNCTIONS = 7,
};
enum { LOCATION_ID = 1, LOCATION_MAPPING_ID, LOCATION_ADDRESS, LOCATION_LINE };
enum { LINE_FUNCTION_ID = 1, LINE_LINE };
enum { FUNCTION_ID = 1, FUNCTION_NAME, FUNCTION_SYSTEM_NAME, FUNCTION_FILENAME };

/* The sample types of Go's heap profiles, in its order: pprof shows the last by default. */
static const char *const sample_types[][2] = {
	{ "alloc_objects", "count" }, { "alloc_space", "bytes" },
	{ "inuse_objects", "count" }, { "inuse_space", "bytes" },
};
#define SAMPLE_TYPES (sizeof(sample_types) / sizeof(sample_types[0]))

struct pprof_output {
	struct output base;
	char *path;
	bool per_process;
	FILE *single;                /* without per_process: path, opened up front, until the
				      * summary */
};

/* A function of the profile: a native one has no file (""), a Python one has. */
struct profile_function {
	const char *name;
	const char *file;
};

/* A profile's tables, each sorted and without duplicates: an entry's id is its index + 1
 * (strings: the index, "" first). The Python locations' ids follow the native ones'. */
struct profile_tables {
	const char **strings;
	size_t string_count;
	const struct stack_frame **locations;    /* by ip */
	size_t location_count;
	const struct python_frame **python_locations;   /* by function, file, line */
	size_t python_location_count;
	const struct stack_frame **mappings;     /* by module_start */
	bool *mapping_named;                     /* every location in it has a function */
	size_t mapping_count;
	struct profile_function *functions;      /* by name, file */
	const struct profile_function **function_order;
	size_t function_count;
};

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_ip(const void *a, const void *b)
{
	const struct stack_frame *x = *(const struct stack_frame *const *)a;
	const struct stack_frame *y = *(const struct stack_frame *const *)b;

	return (x->ip > y->ip) - (x->ip < y->ip);
}

static int by_python_frame(const void *a, const void *b)
{
	const struct python_frame *x = *(const struct python_frame *const *)a;
	const struct python_frame *y = *(const struct python_frame *const *)b;
	int c = strcmp(x->function, y->function);

	if (!c)
		c = strcmp(x->file, y->file);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int by_function(const void *a, const void *b)
{
	const struct profile_function *x = *(const struct profile_function *const *)a;
	const struct profile_function *y = *(const struct profile_function *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->file, y->file);
}

static int by_module_start(const void *a, const void *b)
{
	const struct stack_frame *x = *(const struct stack_frame *const *)a;
	const struct stack_frame *y = *(const struct stack_frame *const *)b;

	return (x->module_start > y->module_start) - (x->module_start < y->module_start);
}

/* Sorts n pointers and drops the duplicates; returns how many are left. */
static size_t sort_unique(const void **v, size_t n, int (*cmp)(const void *, const void *))
{
	size_t kept = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 1; i < n; i++)
		if (cmp(&v[i], &v[kept]))
			v[++kept] = v[i];
	return kept + 1;
}

/* The 1-based position of key in v (sorted by cmp), 0 when absent. */
static uint64_t id_of(const void *key, const void **v, size_t n,
		      int (*cmp)(const void *, const void *))
{
	const void **hit = n ? bsearch(&key, v, n, sizeof(*v), cmp) : NULL;

	return hit ? (uint64_t)(hit - v) + 1 : 0;
}

static uint64_t string_id(const struct profile_tables *t, const char *s)
{
	/* strings[0] is "" and stays out of the search: the others are sorted after it. */
	return *s ? id_of(s, (const void **)t->strings + 1, t->string_count - 1, by_string) : 0;
}

static uint64_t location_id(const struct profile_tables *t, const struct stack_frame *f)
{
	return id_of(f, (const void **)t->locations, t->location_count, by_ip);
}

static uint64_t python_location_id(const struct profile_tables *t,
				   const struct python_frame *f)
{
	uint64_t id = id_of(f, (const void **)t->python_locations, t->python_location_count,
			    by_python_frame);

	return id ? t->location_count + id : 0;
}

static uint64_t mapping_id(const struct profile_tables *t, const struct stack_frame *f)
{
	return f->module ? id_of(f, (const void **)t->mappings, t->mapping_count,
				 by_module_start) : 0;
}

static uint64_t function_id(const struct profile_tables *t, const char *name, const char *file)
{
	const struct profile_function key = { name, file };

	return id_of(&key, (const void **)t->function_order, t->function_count, by_function);
}

static void tables_free(struct profile_tables *t)
{
	free(t->strings);
	free(t->locations);
	free(t->python_locations);
	free(t->mappings);
	free(t->mapping_named);
	free(t->functions);
	free(t->function_order);
}

/* Every frame of the stacks into the location tables (native by ip, Python by function, file,
 * line), sorted and deduplicated. */
static int collect_locations(struct profile_tables *t, const struct process_report *r)
{
	size_t frames = 0, python_frames = 0;

	for (size_t i = 0; i < r->stack_count; i++) {
		if (r->stacks[i].parts)
			frames += r->stacks[i].depth;
		python_frames += r->stacks[i].python.depth;
	}
	t->locations = calloc(frames + 1, sizeof(*t->locations));
	t->python_locations = calloc(python_frames + 1, sizeof(*t->python_locations));
	if (!t->locations || !t->python_locations)
		return -ENOMEM;
	for (size_t i = 0; i < r->stack_count; i++) {
		const struct stack_report *st = &r->stacks[i];

		for (size_t f = 0; st->parts && f < st->depth; f++)
			t->locations[t->location_count++] = &st->parts[f];
		for (size_t f = 0; f < st->python.depth; f++)
			t->python_locations[t->python_location_count++] = &st->python.frames[f];
	}
	t->location_count = sort_unique((const void **)t->locations, t->location_count, by_ip);
	t->python_location_count = sort_unique((const void **)t->python_locations,
					       t->python_location_count, by_python_frame);
	return 0;
}

static void add_function(struct profile_tables *t, size_t *strings, const char *name,
			 const char *file)
{
	t->functions[t->function_count] = (struct profile_function){ name, file };
	t->function_order[t->function_count] = &t->functions[t->function_count];
	t->function_count++;
	if (*name)
		t->strings[(*strings)++] = name;
	if (*file)
		t->strings[(*strings)++] = file;
}

/* The locations first (every frame); the rest from the distinct locations only: a profile of
 * every stack has millions of frames and a few thousand addresses. */
static int tables_build(struct profile_tables *t, const struct process_report *r,
			const char *comment)
{
	size_t n, py, strings = 0;
	int err;

	*t = (struct profile_tables){ 0 };
	err = collect_locations(t, r);
	if (err)
		return err;
	n = t->location_count;
	py = t->python_location_count;
	t->mappings = calloc(n + 1, sizeof(*t->mappings));
	t->mapping_named = calloc(n + 1, sizeof(*t->mapping_named));
	t->functions = calloc(n + py + 1, sizeof(*t->functions));
	t->function_order = calloc(n + py + 1, sizeof(*t->function_order));
	t->strings = calloc(2 * (n + py) + 2 * SAMPLE_TYPES + 3, sizeof(*t->strings));
	if (!t->mappings || !t->mapping_named || !t->functions || !t->function_order ||
	    !t->strings)
		return -ENOMEM;
	t->strings[strings++] = "";
	for (size_t i = 0; i < SAMPLE_TYPES; i++) {
		t->strings[strings++] = sample_types[i][0];
		t->strings[strings++] = sample_types[i][1];
	}
	t->strings[strings++] = "space";   /* the period's type */
	t->strings[strings++] = comment;
	for (size_t l = 0; l < n; l++) {
		const struct stack_frame *loc = t->locations[l];

		if (loc->module) {
			t->mappings[t->mapping_count++] = loc;
			t->strings[strings++] = loc->module;
		}
		if (loc->function)
			add_function(t, &strings, loc->function, "");
	}
	for (size_t l = 0; l < py; l++)
		add_function(t, &strings, t->python_locations[l]->function,
			     t->python_locations[l]->file);
	t->mapping_count = sort_unique((const void **)t->mappings, t->mapping_count,
				       by_module_start);
	t->function_count = sort_unique((const void **)t->function_order, t->function_count,
					by_function);
	t->string_count = 1 + sort_unique((const void **)t->strings + 1, strings - 1, by_string);
	for (size_t m = 0; m < t->mapping_count; m++)
		t->mapping_named[m] = true;
	/* A mapping with an address we could not name is left to pprof's own symbolizer. */
	for (size_t l = 0; l < n; l++)
		if (t->locations[l]->module && !t->locations[l]->function)
			t->mapping_named[mapping_id(t, t->locations[l]) - 1] = false;
	return 0;
}

static void write_value_type(struct pb_message *out, uint32_t field,
			     const struct profile_tables *t, const char *type, const char *unit)
{
	struct pb_message m = { 0 };

	pb_uint(&m, VALUE_TYPE_TYPE, string_id(t, type));
	pb_uint(&m, VALUE_TYPE_UNIT, string_id(t, unit));
	pb_submessage(out, field, &m);
	pb_free(&m);
}

static void write_samples(struct pb_message *out, const struct profile_tables *t,
			  const struct process_report *r)
{
	struct pb_message m = { 0 };
	uint64_t ids[ALLOC_MAX_STACK_DEPTH + PY_STACK_MAX_DEPTH];

	for (size_t i = 0; i < r->stack_count; i++) {
		const struct stack_report *st = &r->stacks[i];
		const uint64_t values[SAMPLE_TYPES] = { st->allocs, st->bytes_allocated,
							st->live_allocs, st->live_bytes };
		size_t depth = 0;

		/* Innermost first, as pprof wants its leaf at location_id[0]; the Python code
		 * called the native frames: its frames come after them. */
		for (; st->parts && depth < st->depth && depth < ALLOC_MAX_STACK_DEPTH; depth++)
			ids[depth] = location_id(t, &st->parts[depth]);
		for (size_t f = 0; f < st->python.depth && f < PY_STACK_MAX_DEPTH; f++)
			ids[depth++] = python_location_id(t, &st->python.frames[f]);
		pb_clear(&m);
		pb_packed(&m, SAMPLE_LOCATION_ID, ids, depth);
		pb_packed(&m, SAMPLE_VALUE, values, SAMPLE_TYPES);
		pb_submessage(out, PROFILE_SAMPLE, &m);
	}
	pb_free(&m);
}

static void write_mappings(struct pb_message *out, const struct profile_tables *t)
{
	struct pb_message m = { 0 };

	for (size_t i = 0; i < t->mapping_count; i++) {
		const struct stack_frame *f = t->mappings[i];

		pb_clear(&m);
		pb_uint(&m, MAPPING_ID, i + 1);
		pb_uint(&m, MAPPING_MEMORY_START, f->module_start);
		pb_uint(&m, MAPPING_MEMORY_LIMIT, f->module_limit);
		pb_uint(&m, MAPPING_FILE_OFFSET, f->module_offset);
		pb_uint(&m, MAPPING_FILENAME, string_id(t, f->module));
		pb_uint(&m, MAPPING_HAS_FUNCTIONS, t->mapping_named[i]);
		pb_submessage(out, PROFILE_MAPPING, &m);
	}
	pb_free(&m);
}

static void write_locations(struct pb_message *out, const struct profile_tables *t)
{
	struct pb_message m = { 0 }, line = { 0 };

	for (size_t i = 0; i < t->location_count; i++) {
		const struct stack_frame *f = t->locations[i];

		pb_clear(&m);
		pb_uint(&m, LOCATION_ID, i + 1);
		pb_uint(&m, LOCATION_MAPPING_ID, mapping_id(t, f));
		pb_uint(&m, LOCATION_ADDRESS, f->ip);
		if (f->function) {
			pb_clear(&line);
			pb_uint(&line, LINE_FUNCTION_ID, function_id(t, f->function, ""));
			pb_submessage(&m, LOCATION_LINE, &line);
		}
		pb_submessage(out, PROFILE_LOCATION, &m);
	}
	/* A Python frame: no mapping, no address, one line of its function. */
	for (size_t i = 0; i < t->python_location_count; i++) {
		const struct python_frame *f = t->python_locations[i];

		pb_clear(&m);
		pb_uint(&m, LOCATION_ID, t->location_count + i + 1);
		pb_clear(&line);
		pb_uint(&line, LINE_FUNCTION_ID, function_id(t, f->function, f->file));
		if (f->line > 0)   /* -1, unknown: 0, pprof's "no line" */
			pb_uint(&line, LINE_LINE, (uint64_t)f->line);
		pb_submessage(&m, LOCATION_LINE, &line);
		pb_submessage(out, PROFILE_LOCATION, &m);
	}
	pb_free(&m);
	pb_free(&line);
}

static void write_functions(struct pb_message *out, const struct profile_tables *t)
{
	struct pb_message m = { 0 };

	for (size_t i = 0; i < t->function_count; i++) {
		const struct profile_function *fn = t->function_order[i];
		uint64_t name = string_id(t, fn->name);

		pb_clear(&m);
		pb_uint(&m, FUNCTION_ID, i + 1);
		pb_uint(&m, FUNCTION_NAME, name);
		/* Python code has no system name; pprof, seeing one equal to the name, would take
		 * "<module>" for a demangled C++ template and strip it to nothing. */
		if (!*fn->file)
			pb_uint(&m, FUNCTION_SYSTEM_NAME, name);
		pb_uint(&m, FUNCTION_FILENAME, string_id(t, fn->file));
		pb_submessage(out, PROFILE_FUNCTION, &m);
	}
	pb_free(&m);
}

/* The Profile message for r into out; 0 or -ENOMEM. */
static int encode_profile(struct pb_message *out, const struct process_report *r)
{
	struct profile_tables t;
	struct timespec now;
	char comment[96];
	uint64_t comment_id;
	int err;

	snprintf(comment, sizeof(comment), "memtrace-bpf: PID %d (%s)", (int)r->pid, r->comm);
	err = tables_build(&t, r, comment);
	if (err) {
		tables_free(&t);
		return err;
	}
	for (size_t i = 0; i < SAMPLE_TYPES; i++)
		write_value_type(out, PROFILE_SAMPLE_TYPE, &t, sample_types[i][0],
				 sample_types[i][1]);
	write_samples(out, &t, r);
	write_mappings(out, &t);
	write_locations(out, &t);
	write_functions(out, &t);
	for (size_t i = 0; i < t.string_count; i++)
		pb_string(out, PROFILE_STRING_TABLE, t.strings[i]);
	clock_gettime(CLOCK_REALTIME, &now);
	pb_uint(out, PROFILE_TIME_NANOS, r->attach_realtime_ns ? r->attach_realtime_ns :
		(uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec - r->elapsed_ns);
	pb_uint(out, PROFILE_DURATION_NANOS, r->elapsed_ns);
	write_value_type(out, PROFILE_PERIOD_TYPE, &t, "space", "bytes");
	pb_uint(out, PROFILE_PERIOD, 1);   /* every allocation is counted, none sampled */
	comment_id = string_id(&t, comment);
	pb_packed(out, PROFILE_COMMENT, &comment_id, 1);
	pb_uint(out, PROFILE_DEFAULT_SAMPLE_TYPE, string_id(&t, "inuse_space"));
	tables_free(&t);
	return out->failed ? -ENOMEM : 0;
}

/* data, gzip'd (zlib's gzip wrapper: windowBits 15 + 16), to f; 0 or a negative errno. */
static int write_gzip(FILE *f, const uint8_t *data, size_t len)
{
	z_stream z = { 0 };
	uint8_t chunk[1 << 16];
	int zerr;

	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;   /* a profile is far below 4 GiB */
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zerr = deflate(&z, Z_FINISH);
		if (fwrite(chunk, 1, sizeof(chunk) - z.avail_out, f) != sizeof(chunk) - z.avail_out)
			break;
	} while (zerr == Z_OK);
	deflateEnd(&z);
	if (zerr != Z_STREAM_END)
		return ferror(f) ? -EIO : -ENOMEM;
	return 0;
}

static void pprof_interval(struct output *out, const struct process_report *r)
{
	(void)out;
	(void)r;
}

static void pprof_summary(struct output *out, const struct process_report *r)
{
	struct pprof_output *p = (struct pprof_output *)out;
	struct pb_message profile = { 0 };
	char path[4096];
	FILE *f = p->single;
	int err;

	if (p->per_process) {
		snprintf(path, sizeof(path), "%s.%d", p->path, (int)r->pid);
		f = fopen(path, "we");
	} else {
		snprintf(path, sizeof(path), "%s", p->path);
		p->single = NULL;   /* one process, one summary: closed below */
	}
	if (!f) {
		fprintf(stderr, "memtrace-bpf: cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	err = encode_profile(&profile, r);
	if (!err)
		err = write_gzip(f, profile.data, profile.len);
	if (fclose(f) && !err)
		err = -errno;
	pb_free(&profile);
	if (err)
		fprintf(stderr, "memtrace-bpf: cannot write %s: %s\n", path, strerror(-err));
}

static void pprof_destroy(struct output *out)
{
	struct pprof_output *p = (struct pprof_output *)out;

	/* No summary (the session failed before it): no empty file that reads as a profile.
	 * Only a regular file: --pprof /dev/null must not remove the device. */
	if (p->single) {
		struct stat st;
		bool regular = !fstat(fileno(p->single), &st) && S_ISREG(st.st_mode);

		fclose(p->single);
		if (regular)   /* --pprof /dev/null must not remove the device */
			unlink(p->path);
	}
	free(p->path);
	free(p);
}

/* FILE.PID files are made at each summary: the folder they go to must take them. */
static bool folder_writable(const char *path)
{
	const char *slash = strrchr(path, '/');
	char folder[4096];

	if (!slash)
		return access(".", W_OK | X_OK) == 0;
	snprintf(folder, sizeof(folder), "%.*s", (int)(slash - path + 1), path);
	return access(folder, W_OK | X_OK) == 0;
}

struct output *pprof_output__new(const char *path, bool per_process)
{
	struct pprof_output *p = calloc(1, sizeof(*p));

	if (!p || !(p->path = strdup(path))) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->per_process = per_process;
	if (per_process ? !folder_writable(path) : !(p->single = fopen(path, "we"))) {
		int saved = errno;

		free(p->path);
		free(p);
		errno = saved;
		return NULL;
	}
	p->base = (struct output){ .interval = pprof_interval, .summary = pprof_summary,
				   .destroy = pprof_destroy, .all_stacks = true };
	return &p->base;
}
