// SPDX-License-Identifier: GPL-2.0
/* The reports as an SQLite database (docs/sql.md): a table per kind of row, columns named as
 * the JSON keys (docs/json.md). WAL and one transaction per interval report: a crash of the
 * tracer loses at most the interval being written. Fed only the report structs, so a saved
 * run re-fed through the writers gives the same file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "analysis/lifetimes.h"
#include "model/analysis_events.h"
#include "model/frame_report.h"
#include "output/output.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS processes (pid INTEGER PRIMARY KEY, comm TEXT,"
	" python_version TEXT, exited INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS intervals (pid INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" elapsed_ns INTEGER, interval_ns INTEGER, allocs INTEGER, frees INTEGER,"
	" bytes_allocated INTEGER, bytes_freed INTEGER, live_bytes INTEGER, live_allocs INTEGER,"
	" dropped INTEGER, rss_bytes INTEGER, PRIMARY KEY (pid, seq));"
	"CREATE TABLE IF NOT EXISTS frames (pid INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" start_ns INTEGER, end_ns INTEGER, allocs INTEGER, frees INTEGER,"
	" bytes_allocated INTEGER, bytes_freed INTEGER, live_bytes INTEGER, live_allocs INTEGER,"
	" lost_before INTEGER, dropped INTEGER, fps REAL, gc_runs INTEGER,"
	" PRIMARY KEY (pid, seq));"
	"CREATE TABLE IF NOT EXISTS python_types (pid INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" elapsed_ns INTEGER, name TEXT NOT NULL, live INTEGER, live_bytes INTEGER,"
	" peak_live INTEGER, created INTEGER, destroyed INTEGER);"
	"CREATE TABLE IF NOT EXISTS gc (pid INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" generation INTEGER, start_ns INTEGER, duration_ns INTEGER, collected INTEGER,"
	" uncollectable INTEGER);"
	"CREATE TABLE IF NOT EXISTS events (pid INTEGER, type TEXT NOT NULL, elapsed_ns INTEGER,"
	" seq INTEGER, kind TEXT, name TEXT, bytes REAL, ratio REAL, severity TEXT,"
	" growth_per_s REAL, live REAL, metric TEXT, budget TEXT, state TEXT, value REAL,"
	" \"limit\" REAL);"
	/* A frame row per stack frame: kind "native" (function, module, address), then "python"
	 * (function, file, line), innermost first within each. */
	"CREATE TABLE IF NOT EXISTS stacks (pid INTEGER NOT NULL, stack_id INTEGER NOT NULL,"
	" frame_index INTEGER NOT NULL, kind TEXT NOT NULL, function TEXT, file TEXT,"
	" line INTEGER, module TEXT, address INTEGER, PRIMARY KEY (pid, stack_id, frame_index));"
	"CREATE TABLE IF NOT EXISTS stack_samples (pid INTEGER NOT NULL, stack_id INTEGER NOT NULL,"
	" elapsed_ns INTEGER, live_allocs INTEGER, live_bytes INTEGER, allocs INTEGER,"
	" bytes_allocated INTEGER);"
	/* Lifetimes and pools (docs/analysis.md), written with the summary. */
	"CREATE TABLE IF NOT EXISTS stack_lifetimes (pid INTEGER NOT NULL,"
	" stack_id INTEGER NOT NULL, elapsed_ns INTEGER, freed INTEGER, temporary INTEGER,"
	" temporary_ms REAL, survivors INTEGER, mean_ns REAL, peak_live INTEGER,"
	" size_min INTEGER, size_max INTEGER);"
	"CREATE TABLE IF NOT EXISTS lifetime_buckets (pid INTEGER NOT NULL,"
	" stack_id INTEGER NOT NULL, min_ns INTEGER, max_ns INTEGER, count INTEGER);"
	"CREATE TABLE IF NOT EXISTS pools (pid INTEGER NOT NULL, kind TEXT, name TEXT,"
	" stack_id INTEGER, size INTEGER, peak_live INTEGER, allocs INTEGER, frees INTEGER,"
	" allocs_per_s REAL, allocs_per_frame REAL, calls_saved_per_s REAL,"
	" bytes_churned_per_s REAL);";

enum stmt {
	ST_PROCESS, ST_INTERVAL, ST_FRAME, ST_TYPE, ST_GC, ST_EVENT, ST_STACK, ST_SAMPLE,
	ST_LIFETIMES, ST_BUCKET, ST_POOL, ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_PROCESS] = "INSERT INTO processes (pid, comm, python_version, exited) VALUES (?,?,?,?)"
		       " ON CONFLICT (pid) DO UPDATE SET comm = excluded.comm,"
		       " python_version = coalesce(excluded.python_version, python_version),"
		       " exited = excluded.exited",
	[ST_INTERVAL] = "INSERT OR REPLACE INTO intervals VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_FRAME] = "INSERT OR REPLACE INTO frames VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_TYPE] = "INSERT INTO python_types VALUES (?,?,?,?,?,?,?,?,?)",
	[ST_GC] = "INSERT INTO gc VALUES (?,?,?,?,?,?,?)",
	[ST_EVENT] = "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_STACK] = "INSERT OR IGNORE INTO stacks VALUES (?,?,?,?,?,?,?,?,?)",
	[ST_SAMPLE] = "INSERT INTO stack_samples VALUES (?,?,?,?,?,?,?)",
	[ST_LIFETIMES] = "INSERT INTO stack_lifetimes VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	[ST_BUCKET] = "INSERT INTO lifetime_buckets VALUES (?,?,?,?,?)",
	[ST_POOL] = "INSERT INTO pools VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
};

struct sqlite_output {
	struct output base;
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
	bool failed;                 /* a write failed: said once, then the rest is skipped */
	struct interval_seq { pid_t pid; uint64_t seq; } *seqs;
	size_t seq_count, seq_next;  /* a poll reports its processes in the order of the last */
};

static void fail(struct sqlite_output *o, const char *what)
{
	if (!o->failed)
		fprintf(stderr, "memtrace-bpf: --sqlite: %s: %s\n", what, sqlite3_errmsg(o->db));
	o->failed = true;
}

static void exec(struct sqlite_output *o, const char *sql)
{
	if (!o->failed && sqlite3_exec(o->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail(o, sql);
}

/* Binds the values in order: 'i' int64, 'd' double, 's' text (NULL or "" as NULL); 'I', 'D'
 * and 'S' take that argument and bind NULL (unknown in this mode); 'n' NULL, taking none. */
static void insert(struct sqlite_output *o, enum stmt s, const char *types, ...)
{
	sqlite3_stmt *st = o->stmt[s];
	va_list ap;

	if (o->failed)
		return;
	va_start(ap, types);
	for (int i = 1; *types; types++, i++) {
		const char *text;

		switch (*types) {
		case 'i': sqlite3_bind_int64(st, i, va_arg(ap, int64_t)); break;
		case 'd': sqlite3_bind_double(st, i, va_arg(ap, double)); break;
		case 's':
			text = va_arg(ap, const char *);
			if (text && *text)
				sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, i);
			break;
		case 'I': (void)va_arg(ap, int64_t); sqlite3_bind_null(st, i); break;
		case 'D': (void)va_arg(ap, double); sqlite3_bind_null(st, i); break;
		case 'S': (void)va_arg(ap, const char *); sqlite3_bind_null(st, i); break;
		default: sqlite3_bind_null(st, i); break;
		}
	}
	va_end(ap);
	if (sqlite3_step(st) != SQLITE_DONE)
		fail(o, "insert");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* The interval number of pid: 1 for its first report, counted per process. The search starts
 * after the last one found, so a poll in the usual order finds each at once. */
static uint64_t next_seq(struct sqlite_output *o, pid_t pid)
{
	for (size_t n = 0; n < o->seq_count; n++) {
		size_t i = (o->seq_next + n) % o->seq_count;

		if (o->seqs[i].pid == pid) {
			o->seq_next = i + 1;
			return ++o->seqs[i].seq;
		}
	}
	struct interval_seq *grown = realloc(o->seqs, (o->seq_count + 1) * sizeof(*grown));

	if (!grown) {
		o->failed = true;
		fprintf(stderr, "memtrace-bpf: --sqlite: out of memory\n");
		return 0;
	}
	o->seqs = grown;
	o->seqs[o->seq_count++] = (struct interval_seq){ pid, 1 };
	o->seq_next = o->seq_count;
	return 1;
}

static void write_process(struct sqlite_output *o, const struct process_report *r)
{
	insert(o, ST_PROCESS, "issi", (int64_t)r->pid, r->comm,
	       r->python ? r->python->version : NULL, (int64_t)r->exited);
}

static void write_python(struct sqlite_output *o, const struct process_report *r, uint64_t seq)
{
	const struct python_report *py = r->python;

	for (size_t i = 0; i < py->type_count; i++) {
		const struct python_type_report *t = &py->types[i];
		char types[] = "iiisiiiii";

		if (!t->has_live)     /* this mode cannot count the type: NULL, as JSON's null */
			memcpy(types + 4, "III", 3);
		if (!t->has_events)   /* census mode: created/destroyed unknown */
			memcpy(types + 7, "II", 2);
		insert(o, ST_TYPE, types, (int64_t)r->pid, (int64_t)seq, (int64_t)r->elapsed_ns,
		       t->name, (int64_t)t->live, (int64_t)t->live_bytes, (int64_t)t->peak_live,
		       (int64_t)t->created, (int64_t)t->destroyed);
	}
	for (size_t i = 0; i < py->gc_event_count; i++) {
		const struct python_gc_event *g = &py->gc_events[i];

		char types[] = "iiiiiii";

		if (g->generation < 0)
			types[2] = 'I';
		if (g->collected < 0)
			types[5] = 'I';
		if (g->uncollectable < 0)
			types[6] = 'I';
		insert(o, ST_GC, types, (int64_t)r->pid, (int64_t)seq, (int64_t)g->generation,
		       (int64_t)g->start_ns, (int64_t)g->duration_ns, (int64_t)g->collected,
		       (int64_t)g->uncollectable);
	}
}

static void sqlite_interval(struct output *out, const struct process_report *r)
{
	struct sqlite_output *o = (struct sqlite_output *)out;
	const struct native_totals *n = &r->native, *d = &r->native_delta;
	uint64_t seq = next_seq(o, r->pid);
	const char *types = r->native_traced ? "iiiiiiiiiiii" : "iiiiIIIIIIIi";

	write_process(o, r);
	/* allocs..bytes_freed: this interval's; live_*: at its end (as the JSON interval line) */
	insert(o, ST_INTERVAL, types, (int64_t)r->pid, (int64_t)seq, (int64_t)r->elapsed_ns,
	       (int64_t)r->interval_ns, (int64_t)d->allocs, (int64_t)d->frees,
	       (int64_t)d->bytes_allocated, (int64_t)d->bytes_freed,
	       (int64_t)native_live_bytes(n), (int64_t)native_live_allocs(n),
	       (int64_t)n->dropped, (int64_t)r->rss_bytes);
	if (r->python)
		write_python(o, r, seq);
	exec(o, "COMMIT");
	exec(o, "BEGIN");
}

static void write_stack(struct sqlite_output *o, pid_t pid, const struct stack_report *st)
{
	for (size_t f = 0; f < st->depth; f++) {
		const struct stack_frame *p = st->parts ? &st->parts[f] : NULL;
		const char *function = p ? p->function : st->frames[f];

		insert(o, ST_STACK, p ? "iiissnnsi" : "iiissnnsI", (int64_t)pid,
		       (int64_t)st->stack_id, (int64_t)f, "native",
		       function ? function : st->frames[f], p ? p->module : NULL,
		       p ? (int64_t)p->ip : 0);
	}
	/* The Python frames the allocating thread ran, after the native ones (docs/sql.md). */
	for (size_t f = 0; f < st->python.depth; f++) {
		const struct python_frame *py = &st->python.frames[f];

		insert(o, ST_STACK, py->line >= 0 ? "iiisssiSI" : "iiisssISI", (int64_t)pid,
		       (int64_t)st->stack_id, (int64_t)(st->depth + f), "python", py->function,
		       py->file, (int64_t)py->line, (const char *)NULL, (int64_t)0);
	}
}

/* A stack's lifetimes: a row, and a row per bucket that counted a free. */
static void write_lifetimes(struct sqlite_output *o, const struct process_report *r,
			    const struct stack_report *st)
{
	uint64_t freed = lifetime_stats__count(&st->lifetimes), lo, hi;

	insert(o, ST_LIFETIMES, freed ? "iiiiididiii" : "iiiiidiDiii", (int64_t)r->pid,
	       (int64_t)st->stack_id, (int64_t)r->elapsed_ns, (int64_t)freed,
	       (int64_t)st->lifetimes.temporary, r->lifetimes->temporary_ns / 1e6,
	       (int64_t)st->live_allocs, freed ? (double)st->lifetimes.total_ns / freed : 0.0,
	       (int64_t)st->peak_live, (int64_t)st->size_min, (int64_t)st->size_max);
	for (int b = 0; b < LIFETIME_BUCKETS; b++) {
		if (!st->lifetimes.hist[b])
			continue;
		lifetime_bucket_bounds(b, &lo, &hi);
		insert(o, ST_BUCKET, hi == UINT64_MAX ? "iiiIi" : "iiiii", (int64_t)r->pid,
		       (int64_t)st->stack_id, (int64_t)lo, (int64_t)hi,
		       (int64_t)st->lifetimes.hist[b]);
	}
}

static void write_pools(struct sqlite_output *o, const struct process_report *r)
{
	for (size_t i = 0; i < r->lifetimes->pool_count; i++) {
		const struct pool_hint *h = &r->lifetimes->pools[i];
		char types[] = "issiiiiidddd";

		if (h->python_type)
			types[3] = 'I';
		if (h->allocs_per_frame < 0)   /* no --frame */
			types[9] = 'D';
		insert(o, ST_POOL, types, (int64_t)r->pid,
		       h->python_type ? "python_type" : "native_stack", h->name,
		       (int64_t)h->stack_id, (int64_t)h->size, (int64_t)h->peak_live,
		       (int64_t)h->allocs, (int64_t)h->frees, h->allocs_per_s, h->allocs_per_frame,
		       h->calls_saved_per_s, h->bytes_churned_per_s);
	}
}

static void sqlite_summary(struct output *out, const struct process_report *r)
{
	struct sqlite_output *o = (struct sqlite_output *)out;

	write_process(o, r);
	for (size_t i = 0; i < r->stack_count; i++) {
		const struct stack_report *st = &r->stacks[i];

		write_stack(o, r->pid, st);
		insert(o, ST_SAMPLE, "iiiiiii", (int64_t)r->pid, (int64_t)st->stack_id,
		       (int64_t)r->elapsed_ns, (int64_t)st->live_allocs, (int64_t)st->live_bytes,
		       (int64_t)st->allocs, (int64_t)st->bytes_allocated);
		if (r->lifetimes)
			write_lifetimes(o, r, st);
	}
	if (r->lifetimes)
		write_pools(o, r);
	exec(o, "COMMIT");
	exec(o, "BEGIN");
}

static void sqlite_frame(struct output *out, const struct frame_report *f)
{
	struct sqlite_output *o = (struct sqlite_output *)out;
	char types[] = "iiiiiiiiiiiidi";

	if (!f->native_known)
		memcpy(types + 4, "IIIIII", 6);
	if (!f->gc_known)
		types[13] = 'I';
	insert(o, ST_FRAME, types, (int64_t)f->pid, (int64_t)f->seq, (int64_t)f->start_ns,
	       (int64_t)f->end_ns, (int64_t)f->allocs, (int64_t)f->frees,
	       (int64_t)f->bytes_allocated, (int64_t)f->bytes_freed, (int64_t)f->live_bytes,
	       (int64_t)f->live_allocs, (int64_t)f->lost, (int64_t)f->dropped, f->fps,
	       (int64_t)f->gc_runs);
}

static const char *const event_types[] = {
	[EVENT_SPIKE] = "spike", [EVENT_LEAK] = "leak", [EVENT_DRIFT] = "drift",
	[EVENT_BUDGET] = "budget", [EVENT_FRAGMENTATION] = "fragmentation",
	[EVENT_FORECAST] = "forecast", [EVENT_OOM] = "oom",
};

/* An oom event's live figure: the native live bytes of its snapshot. */
static double oom_live(const struct analysis_event *e)
{
	return e->snapshot->native_traced ? (double)native_live_bytes(&e->snapshot->native) : 0;
}

static void sqlite_event(struct output *out, const struct analysis_event *e)
{
	struct sqlite_output *o = (struct sqlite_output *)out;
	const char *kind = NULL;

	if (e->type == EVENT_SPIKE)
		kind = e->in_frame ? "frame" : "interval";
	else if (e->type == EVENT_LEAK)
		kind = e->python_type ? "python_type" : "native_stack";
	insert(o, ST_EVENT, "isiissddsddsssdd", (int64_t)e->pid, event_types[e->type],
	       (int64_t)e->elapsed_ns, (int64_t)e->seq, kind,
	       e->type == EVENT_SPIKE ? e->top : e->name, e->bytes, e->ratio,
	       e->type == EVENT_LEAK ? leak_severity_name(e->severity) : NULL,
	       e->growth_per_s, e->type == EVENT_OOM ? oom_live(e) : e->live, e->metric,
	       e->budget, e->type == EVENT_OOM ? "killed" : e->state,
	       e->type == EVENT_OOM ? (double)e->victim.anon_rss_bytes : e->value, e->limit);
	/* Committed at once: memory is short, and the next victim may be the tracer. */
	if (e->type == EVENT_OOM) {
		exec(o, "COMMIT");
		exec(o, "BEGIN");
	}
}

static void sqlite_destroy(struct output *out)
{
	struct sqlite_output *o = (struct sqlite_output *)out;

	exec(o, "COMMIT");
	for (int s = 0; s < ST_COUNT; s++)
		sqlite3_finalize(o->stmt[s]);
	sqlite3_close(o->db);
	free(o->seqs);
	free(o);
}

struct output *sqlite_output__new(const char *path)
{
	struct sqlite_output *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->base = (struct output){ .interval = sqlite_interval, .summary = sqlite_summary,
				   .destroy = sqlite_destroy, .frame = sqlite_frame,
				   .event = sqlite_event, .all_stacks = true };
	if (sqlite3_open_v2(path, &o->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ||
	    sqlite3_exec(o->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL,
			 NULL, NULL) ||
	    sqlite3_exec(o->db, schema, NULL, NULL, NULL)) {
		fprintf(stderr, "memtrace-bpf: cannot open --sqlite %s: %s\n", path,
			o->db ? sqlite3_errmsg(o->db) : "out of memory");
		goto fail;
	}
	for (int s = 0; s < ST_COUNT; s++)
		if (sqlite3_prepare_v2(o->db, stmt_sql[s], -1, &o->stmt[s], NULL)) {
			fprintf(stderr, "memtrace-bpf: --sqlite %s: %s\n", path,
				sqlite3_errmsg(o->db));
			goto fail;
		}
	exec(o, "BEGIN");
	return &o->base;
fail:
	errno = EIO;
	for (int s = 0; s < ST_COUNT; s++)
		sqlite3_finalize(o->stmt[s]);
	sqlite3_close(o->db);
	free(o);
	return NULL;
}
