/* The command line, parsed with argp into plain options. */
#ifndef MEMTRACE_CLI_H
#define MEMTRACE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "analysis/options.h"
#include "cli/scope_cli.h"
#include "output/prometheus/listen.h"

struct options {
	pid_t *pids;                 /* -p, as many as given */
	size_t pid_count, pid_capacity;
	uint32_t max_processes;      /* traced at once: the registry's and the BPF maps' bound */
	uint64_t interval_ns;
	uint64_t duration_ns;        /* 0: until Ctrl-C or the targets exit */
	bool json;
	const char *json_path;       /* NULL: stdout */
	uint32_t json_types;         /* --json-types: per interval line; UINT32_MAX: all */
	bool json_all_stacks;        /* --json-all-stacks: every stack, in parts, in the summary */
	const char *html_path;       /* --html: a self-contained HTML report; NULL: none */
	bool live;                   /* --live: the full-screen view instead of the console lines */
	const char *pprof_path;      /* --pprof: heap profiles; NULL: none */
	const char *folded_path;     /* --folded: collapsed stacks; NULL: none */
	const char *sqlite_path;     /* --sqlite: an SQLite database; NULL: none */
	bool verbose;
	bool stacks;
	bool light;                  /* no malloc-family probes: mappings, Python census, GC */
	bool exact;                  /* every malloc-family call (--exact; -- COMMAND's default) */
	uint32_t overhead_budget;    /* the default mode: % of wall time in exact windows */
	bool overhead_budget_given;
	bool follow_forks;           /* -f: trace the new processes that traced ones fork */
	uint32_t max_entries;
	uint32_t stack_entries;
	uint32_t top_stacks;
	uint32_t py_stack_depth;     /* --py-stack-depth */
	uint64_t py_stack_sample;    /* --py-stack-sample BYTES; 0: every allocation */
	int python_mode;             /* enum python_mode (python_tracer.h): census, events, off */
	struct analysis_options analysis; /* frames and analysis (analysis_cli.c) */
	struct prom_listen prometheus;    /* --prometheus; .on false without it */
	uint32_t prometheus_top;          /* Python types per process served */
	struct scope_options scope;  /* --cgroup, --all (scope_cli.c) */
	char **command;              /* after "--": launched and traced; NULL otherwise */
};

/* One line on stderr ("memtrace-bpf: ..."; control bytes shown as '?') and exit 2 (EXIT_USAGE):
 * a script can tell a bad flag from a failed trace. */
void cli__usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Parses argv. Exits with EXIT_USAGE and a one-line message on a bad flag or value. */
void cli__parse(int argc, char **argv, struct options *opts);
void cli__free(struct options *opts);

#endif
