// SPDX-License-Identifier: GPL-2.0
/* The report subcommand: reads the run once to check it (nothing is written from a file that
 * is not a whole run), then again into the outputs asked for. */
#include "report/report_command.h"

#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/exit_codes.h"
#include "output/output.h"
#include "report/ndjson_replay.h"

struct report_options {
	const char *input;
	const char *html, *sqlite, *pprof, *folded;
};

enum { OPT_HTML = 0x100, OPT_SQLITE, OPT_PPROF, OPT_FOLDED };

static const struct argp_option options[] = {
	{ "html", OPT_HTML, "FILE", 0, "Write the HTML report (as --html)", 0 },
	{ "sqlite", OPT_SQLITE, "FILE", 0, "Write the SQLite database (as --sqlite)", 0 },
	{ "pprof", OPT_PPROF, "FILE", 0,
	  "Write the heap profiles (as --pprof; FILE.PID each when the run has several "
	  "processes)", 0 },
	{ "folded", OPT_FOLDED, "FILE", 0, "Write the collapsed stacks (as --folded)", 0 },
	{ 0 },
};

static const char doc[] =
"Write the outputs of a saved run (--json=FILE) from it: the same HTML, SQLite, pprof and "
"folded files the live run would have written. The profiles need every stack in parts: "
"record the run with --json-all-stacks (and --json-types all for every Python type in the "
"heatmap and the database; docs/outputs.md).\v"
"Exit codes: 0 done, 2 bad flag or an output that cannot be written, 19 the run's file "
"cannot be read, 20 a line is not NDJSON, 21 no summary line (the run was cut short).";

static void usage_error(const char *fmt, const char *arg)
{
	fputs("memtrace-bpf report: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static error_t parse_option(int key, char *arg, struct argp_state *state)
{
	struct report_options *o = state->input;
	const char **path = key == OPT_HTML ? &o->html : key == OPT_SQLITE ? &o->sqlite :
			    key == OPT_PPROF ? &o->pprof : key == OPT_FOLDED ? &o->folded : NULL;

	if (path) {
		if (!*arg)
			usage_error("invalid output file: empty name%s", "");
		*path = arg;
		return 0;
	}
	switch (key) {
	case ARGP_KEY_INIT:
		/* getopt's line names a bad flag; no second "Try --help" line (as cli.c). */
		state->err_stream = NULL;
		return 0;
	case ARGP_KEY_ARG:
		if (o->input)
			usage_error("one run at a time: %s is one too many", arg);
		o->input = arg;
		return 0;
	case ARGP_KEY_END:
		if (!o->input)
			usage_error("no run given: memtrace-bpf report RUN.ndjson --html FILE%s", "");
		if (!o->html && !o->sqlite && !o->pprof && !o->folded)
			usage_error("nothing to write: give --html, --sqlite, --pprof or --folded%s",
				    "");
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static int check_run(FILE *in, const char *path, struct replay_stats *stats)
{
	switch (ndjson_replay(in, NULL, 0, stats)) {
	case REPLAY_OK:
		return EXIT_OK;
	case REPLAY_NOT_NDJSON:
		fprintf(stderr, "memtrace-bpf report: %s: line %zu is not a memtrace-bpf JSON line "
			"(a --json run is NDJSON)\n", path, stats->bad_line);
		return EXIT_REPORT_NOT_NDJSON;
	case REPLAY_NO_SUMMARY:
		fprintf(stderr, "memtrace-bpf report: %s: no summary line (the run was cut short, or "
			"this is not a --json run)\n", path);
		return EXIT_REPORT_NO_SUMMARY;
	case REPLAY_NO_MEMORY:
		break;
	}
	fprintf(stderr, "memtrace-bpf report: out of memory\n");
	return EXIT_INTERNAL;
}

static int cannot_write(const char *path)
{
	fprintf(stderr, "memtrace-bpf report: cannot write %s: %s\n", path, strerror(errno));
	return EXIT_USAGE;
}

static int open_outputs(const struct report_options *o, bool per_process,
			struct output **outputs, size_t *count)
{
	if (o->html && !(outputs[(*count)++] = html_output__new(o->html)))
		return cannot_write(o->html);
	if (o->folded && !(outputs[(*count)++] = folded_output__new(o->folded)))
		return cannot_write(o->folded);
	if (o->pprof && !(outputs[(*count)++] = pprof_output__new(o->pprof, per_process)))
		return cannot_write(o->pprof);
	if (o->sqlite && !(outputs[(*count)++] = sqlite_output__new(o->sqlite)))
		return EXIT_SQLITE_OPEN;
	return EXIT_OK;
}

int report_command__main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_option, "RUN.ndjson", doc, NULL, NULL,
					  NULL };
	static char name[] = "memtrace-bpf report";
	struct report_options o = { 0 };
	struct output *outputs[4];
	struct replay_stats stats;
	size_t count = 0;
	FILE *in;
	int code;

	argv[0] = name;   /* as usage and errors name it */
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return EXIT_USAGE;
	in = fopen(o.input, "re");
	if (!in) {
		fprintf(stderr, "memtrace-bpf report: cannot read %s: %s\n", o.input, strerror(errno));
		return EXIT_REPORT_INPUT;
	}
	code = check_run(in, o.input, &stats);
	if (!code && (o.pprof || o.folded) && stats.stacks_without_parts)
		fprintf(stderr, "memtrace-bpf report: %s lists the --top stacks only, without their "
			"frames in parts: record it with --json-all-stacks for whole profiles\n",
			o.input);
	if (!code)
		code = open_outputs(&o, stats.summaries > 1, outputs, &count);
	if (!code) {
		rewind(in);
		if (ndjson_replay(in, outputs, count, &stats) == REPLAY_NO_MEMORY) {
			fprintf(stderr, "memtrace-bpf report: out of memory\n");
			code = EXIT_INTERNAL;
		}
	}
	for (size_t i = 0; i < count; i++)
		output__destroy(outputs[i]);
	fclose(in);
	return code;
}
