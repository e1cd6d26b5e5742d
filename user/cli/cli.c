// SPDX-License-Identifier: GPL-2.0
#include "cli/cli.h"

#include <argp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/budget.h"
#include "cli/analysis_cli.h"
#include "cli/parse.h"
#include "cli/prometheus_cli.h"
#include "model/exit_codes.h"
#include "python_stack.h"
#include "probes/python/python_tracer.h"
#include "util/grow.h"

const char *argp_program_version = "memtrace-bpf 0.1";
const char *argp_program_bug_address = "the project's issue tracker";

static const char args_doc[] = "[-- COMMAND [ARGS...]]";

static const char doc[] =
"Watch the memory of a running process from outside, with BPF: no restart,\n"
"nothing imported into the target.\v"
"Every mmap/munmap/mremap/brk of the target is counted in the kernel; the\n"
"malloc family (malloc, calloc, realloc, reallocarray, posix_memalign,\n"
"aligned_alloc, memalign, valloc, pvalloc, free) as the mode says:\n"
"\n"
"  MODE                    SEES                               COST (make bench)\n"
"  -p PID (default)        mappings, Python, GC, RSS always;  +0-1%, windows\n"
"                          malloc/free in exact windows       included: to +2%\n"
"                          (--overhead-budget, 5% of time)    web service: 0%\n"
"  --exact, -- COMMAND,    every malloc/free call: exact      +88-107% C loop,\n"
"  --frame                 counts, live bytes by stack        +83-94% Py mix\n"
"  --light                 mappings, Python, GC, RSS only     -2% to +7%\n"
"  (= --overhead-budget 0)\n"
"\n"
"Native figures of the default mode are windowed: what the windows saw,\n"
"with exact_share (their share of the run) in every report. Each interval\n"
"prints one line per process; the end (Ctrl-C, -d, or the target's exit)\n"
"prints a summary with the stacks that hold the most outstanding memory\n"
"(walked along frame pointers: build with -fno-omit-frame-pointer for whole\n"
"stacks). CPython targets also get live objects per type and GC events.\n"
"Needs root (or CAP_BPF + CAP_PERFMON).\n"
"\n"
"EXAMPLES:\n"
"  memtrace-bpf -p 1234             trace PID 1234, a line per second,\n"
"                                   Ctrl-C to stop\n"
"  memtrace-bpf -p 1234 -i 5 -d 60  a line every 5 s, stop after a minute\n"
"  memtrace-bpf -p 1234 --json      NDJSON on stdout (docs/json.md)\n"
"  memtrace-bpf --json=out.ndjson -- ./myprog --flag\n"
"                                   start ./myprog, trace it to its exit\n"
"  memtrace-bpf -p 1234 --frame SDL_GL_SwapWindow --target-fps 60\n"
"                                   memory per game frame, dropped frames\n"
"  memtrace-bpf --cgroup /system.slice/docker-ID.scope --prometheus 9464\n"
"                                   every process of a container, scraped\n"
"  memtrace-bpf --all --comm gunicorn   every gunicorn of the host\n"
"  memtrace-bpf --fail-on-leak=medium -- pytest tests/\n"
"                                   a CI job that fails on a leak\n"
"  memtrace-bpf report run.ndjson --html run.html\n"
"                                   outputs from a saved --json run (see\n"
"                                   memtrace-bpf report --help)\n"
"\n"
"Exit codes: 0 done, 2 bad flag or value, 3 no such process, 4 not root\n"
"or the target's memory map unreadable, 5 kernel lacks BTF, uprobes or a\n"
"BPF helper, 6 no allocator to probe in the target (stripped static, Go),\n"
"7 BPF load failed, 8 attach failed, 9 command could not be started,\n"
"10 a leak (--fail-on-leak), 11 a budget exceeded (--fail-on-budget),\n"
"12, 13, 14 a --prometheus address that does not parse, a port out of range,\n"
"an address that cannot be listened on (port in use), 15 no such --cgroup\n"
"path, 16 not a cgroup v2 directory, 17 no container or pod with that id.";

enum {
	OPT_JSON = 0x100,
	OPT_MAX_ENTRIES,
	OPT_STACK_ENTRIES,
	OPT_NO_STACKS,
	OPT_LIGHT,
	OPT_TOP,
	OPT_PYTHON,
	OPT_MAX_PROCESSES,
	OPT_PROMETHEUS,
	OPT_PROMETHEUS_TOP,
	OPT_PPROF,
	OPT_FOLDED,
	OPT_PY_STACK_DEPTH,
	OPT_PY_STACK_SAMPLE,
	OPT_EXACT,
	OPT_OVERHEAD_BUDGET,
	OPT_SQLITE,
	OPT_JSON_TYPES,
	OPT_LIVE,
	OPT_JSON_ALL_STACKS,
	OPT_HTML,
};

/* The default mode's share of wall time in exact windows: ~+4% on make bench's workloads
 * (docs/performance.md). */
#define DEFAULT_OVERHEAD_BUDGET 5

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Trace this process (repeatable)", 0 },
	{ "interval", 'i', "SECONDS", 0,
	  "Report every SECONDS (default 1; also 500ms, 2m)", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS (default: until Ctrl-C or exit)", 0 },
	{ "json", OPT_JSON, "FILE", OPTION_ARG_OPTIONAL,
	  "Write NDJSON to FILE (or stdout with plain --json): one line per interval and a "
	  "summary", 0 },
	{ "json-types", OPT_JSON_TYPES, "N", 0,
	  "Python types per JSON interval line, at most (default 10): those whose live count "
	  "changed most since the line before, plus types_total; a process's first line and its "
	  "summary list every type; 'all' for the whole census in every line (docs/json.md)", 0 },
	{ "json-all-stacks", OPT_JSON_ALL_STACKS, NULL, 0,
	  "The JSON summary lists every stack that allocated (not the --top ones), each with "
	  "its frames in parts, so that 'memtrace-bpf report FILE' rebuilds --pprof, --folded, "
	  "--sqlite and --html from it (docs/outputs.md)", 0 },
	{ "live", OPT_LIVE, NULL, 0,
	  "A live full-screen view, redrawn every interval, like top: live bytes, growth, RSS, "
	  "Python objects, top types and stacks, leaks and spikes per process (key s: sort by "
	  "live bytes or growth; q: end). Plain lines when stdout is not a terminal", 0 },
	{ "pprof", OPT_PPROF, "FILE", 0,
	  "Write a heap profile of every stack (gzip'd pprof: go tool pprof FILE) at each "
	  "process's summary; FILE.PID each with several -p or -f (docs/outputs.md)", 0 },
	{ "folded", OPT_FOLDED, "FILE", 0,
	  "Write the live bytes per stack as collapsed stacks (flamegraph.pl, inferno, "
	  "speedscope) to FILE at the end (docs/outputs.md)", 0 },
	{ "sqlite", OPT_SQLITE, "FILE", 0,
	  "Write every interval, frame, Python type census, collection, event and stack as rows "
	  "of an SQLite database (WAL, committed each interval; queries in docs/sql.md)", 0 },
	{ "html", OPT_HTML, "FILE", 0,
	  "Write a self-contained HTML report at the end: timeline, frames, Python types "
	  "heatmap, a flame graph of live bytes, leaks, drift and budgets (docs/outputs.md)", 0 },
	{ "max-processes", OPT_MAX_PROCESSES, "N", 0,
	  "Processes traced at once (default 1024): -p, -f's children; the per-process BPF "
	  "maps are sized to it", 0 },
	{ "max-entries", OPT_MAX_ENTRIES, "N",  0,
	  "Outstanding allocations kept in the kernel, at most (default 8388608; kernel memory "
	  "grows with them, ~130 bytes each); beyond it allocations are counted as dropped and "
	  "live figures become approximate", 0 },
	{ "stack-entries", OPT_STACK_ENTRIES, "N", 0, "Distinct allocation stacks kept (default 16384)", 0 },
	{ "no-stacks", OPT_NO_STACKS, NULL, 0, "Do not record allocation stacks (cheaper)", 0 },
	{ "exact", OPT_EXACT, NULL, 0,
	  "Probe every malloc-family call for the whole trace: exact counts (valgrind's), at "
	  "~0.4-1.5 us per call (the default with -- COMMAND and with --frame)", 0 },
	{ "overhead-budget", OPT_OVERHEAD_BUDGET, "PCT", 0,
	  "The default mode (-p): malloc/free are probed only in exact windows of 1 s, at most "
	  "PCT% of wall time (default 5); 0 = no malloc probes at all", 0 },
	{ "light", OPT_LIGHT, NULL, 0,
	  "Same as --overhead-budget 0: no probe on malloc/free; mmap/munmap/brk, the Python "
	  "census and GC only. Native counts are then null", 0 },
	{ "top", OPT_TOP, "N", 0, "Stacks listed in the summary (default 10)", 0 },
	{ "python", OPT_PYTHON, "MODE", 0,
	  "CPython targets: census (default: live objects per type read from the target's "
	  "memory at each report, no cost to the target), events (probes count instances of "
	  "classes as they are made and freed: ~2-3 us per object), or off. See docs/python.md", 0 },
	{ "py-stack-depth", OPT_PY_STACK_DEPTH, "N", 0,
	  "Python frames recorded per stack, innermost first (default 32, at most 64; deeper "
	  "stacks are cut and marked python_stack_truncated)", 0 },
	{ "py-stack-sample", OPT_PY_STACK_SAMPLE, "BYTES", 0,
	  "Join Python stacks to a Poisson sample of the native allocations, one per BYTES "
	  "allocated on average (512K, as Go's heap profile), not to every one: the walk "
	  "(0.6-5 us) then costs almost nothing. Native counts stay exact", 0 },
	{ "follow-forks", 'f', NULL, 0,
	  "Also trace the processes that traced ones fork, from the fork on (each gets its own "
	  "report; allocations in the first milliseconds after the fork may be missed)", 0 },
	{ "prometheus", OPT_PROMETHEUS, "[ADDR:]PORT", 0,
	  "Serve /metrics for Prometheus on PORT (ADDR default 127.0.0.1; [::1]:PORT for IPv6); "
	  "see docs/prometheus.md", 0 },
	{ "prometheus-top", OPT_PROMETHEUS_TOP, "N", 0,
	  "Python types served per process, by live count (default 20)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{ 0 },
};

void cli__usage_error(const char *fmt, ...)
{
	va_list args;

	char msg[512];

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	/* A value with a newline or other control byte in it must not break the one line. */
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	fprintf(stderr, "memtrace-bpf: %s\n", msg);
	exit(EXIT_USAGE);
}

static error_t parse_option(int key, char *arg, struct argp_state *state)
{
	struct options *opts = state->input;

	switch (key) {
	case 'p':
		if (grow_for_one((void **)&opts->pids, &opts->pid_capacity, opts->pid_count,
				 sizeof(*opts->pids)))
			cli__usage_error("out of memory for -p %s", arg);
		if (!parse_pid(arg, &opts->pids[opts->pid_count]))
			cli__usage_error("invalid PID: %s", arg);
		opts->pid_count++;
		break;
	case 'i':
		if (!parse_duration_ns(arg, &opts->interval_ns) || opts->interval_ns < 10000000)
			cli__usage_error("invalid interval: %s (a duration of at least 10ms)", arg);
		break;
	case 'd':
		if (!parse_duration_ns(arg, &opts->duration_ns))
			cli__usage_error("invalid duration: %s", arg);
		break;
	case OPT_JSON:
		opts->json = true;
		if (arg && !*arg)
			cli__usage_error("invalid --json file: empty name");
		opts->json_path = arg;
		break;
	case OPT_JSON_TYPES:
		if (!strcmp(arg, "all"))
			opts->json_types = UINT32_MAX;
		else if (!parse_uint32_range(arg, 0, 100000, &opts->json_types))
			cli__usage_error("invalid --json-types: %s (0 to 100000, or all)", arg);
		break;
	case OPT_LIVE:
		opts->live = true;
		break;
	case OPT_JSON_ALL_STACKS:
		opts->json_all_stacks = true;
		break;
	case OPT_HTML:
		if (!*arg)
			cli__usage_error("invalid --html file: empty name");
		opts->html_path = arg;
		break;
	case OPT_PPROF:
	case OPT_FOLDED:
		if (!*arg)
			cli__usage_error("invalid --%s file: empty name",
					 key == OPT_PPROF ? "pprof" : "folded");
		*(key == OPT_PPROF ? &opts->pprof_path : &opts->folded_path) = arg;
		break;
	case OPT_SQLITE:
		if (!*arg)
			cli__usage_error("invalid --sqlite file: empty name");
		opts->sqlite_path = arg;
		break;
	case OPT_MAX_ENTRIES:
		if (!parse_uint32_range(arg, 1024, 1u << 26, &opts->max_entries))
			cli__usage_error("invalid --max-entries: %s (1024 to 67108864)", arg);
		break;
	case OPT_MAX_PROCESSES:
		if (!parse_uint32_range(arg, 1, 1u << 20, &opts->max_processes))
			cli__usage_error("invalid --max-processes: %s (1 to 1048576)", arg);
		break;
	case OPT_STACK_ENTRIES:
		if (!parse_uint32_range(arg, 16, 1u << 20, &opts->stack_entries))
			cli__usage_error("invalid --stack-entries: %s (16 to 1048576)", arg);
		break;
	case OPT_NO_STACKS:
		opts->stacks = false;
		break;
	case OPT_LIGHT:
		opts->overhead_budget = 0;
		opts->overhead_budget_given = true;
		break;
	case OPT_EXACT:
		opts->exact = true;
		break;
	case OPT_OVERHEAD_BUDGET:
		if (!parse_uint32_range(arg, 0, 100, &opts->overhead_budget))
			cli__usage_error("invalid --overhead-budget: %s (0 to 100, percent)", arg);
		opts->overhead_budget_given = true;
		break;
	case OPT_TOP:
		if (!parse_uint32_range(arg, 0, 1000, &opts->top_stacks))
			cli__usage_error("invalid --top: %s (0 to 1000)", arg);
		break;
	case OPT_PYTHON:
		if (!strcmp(arg, "census"))
			opts->python_mode = PYTHON_MODE_CENSUS;
		else if (!strcmp(arg, "events"))
			opts->python_mode = PYTHON_MODE_EVENTS;
		else if (!strcmp(arg, "off"))
			opts->python_mode = PYTHON_MODE_OFF;
		else
			cli__usage_error("invalid --python: %s (census, events or off)", arg);
		break;
	case OPT_PY_STACK_DEPTH:
		if (!parse_uint32_range(arg, 1, PY_STACK_MAX_DEPTH, &opts->py_stack_depth))
			cli__usage_error("invalid --py-stack-depth: %s (1 to %d)", arg,
					 PY_STACK_MAX_DEPTH);
		break;
	case OPT_PY_STACK_SAMPLE:
		if (!parse_size(arg, &opts->py_stack_sample) || !opts->py_stack_sample ||
		    opts->py_stack_sample > (1ull << 40))
			cli__usage_error("invalid --py-stack-sample: %s (a size such as 512K, 1 TiB "
					 "at most)", arg);
		break;
	case 'f':
		opts->follow_forks = true;
		break;
	case 'v':
		opts->verbose = true;
		break;
	case OPT_PROMETHEUS:
		prometheus_cli__parse(arg, &opts->prometheus);   /* exits on a bad address */
		break;
	case OPT_PROMETHEUS_TOP:
		if (!parse_uint32_range(arg, 1, 1000, &opts->prometheus_top))
			cli__usage_error("invalid --prometheus-top: %s (1 to 1000)", arg);
		break;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &opts->analysis;
		state->child_inputs[1] = &opts->scope;
		/* getopt's own line names a bad flag; argp's "Try --help" hint would be a second
		 * one. Without an error stream argp returns the error to cli__parse instead. */
		state->err_stream = NULL;
		break;
	case ARGP_KEY_ARG:
		cli__usage_error("unexpected argument: %s (a command goes after --)", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

void cli__parse(int argc, char **argv, struct options *opts)
{
	static const struct argp_child children[] = {
		{ &analysis_argp, 0, "Frames and analysis:", 0 },
		{ &scope_argp, 0, "Scopes (containers, the host):", 0 },
		{ 0 },
	};
	static const struct argp argp = { options, parse_option, args_doc, doc, children, NULL,
					  NULL };
	static char program_name[] = "memtrace-bpf";
	char *invoked_as;
	int split = argc;

	*opts = (struct options){
		.interval_ns = 1000000000ull,
		.stacks = true,
		.max_entries = 8388608,
		.max_processes = 1024,
		.stack_entries = 16384,
		.top_stacks = 10,
		.py_stack_depth = PY_STACK_DEFAULT_DEPTH,
		.python_mode = PYTHON_MODE_CENSUS,
		.prometheus_top = 20,
		.overhead_budget = DEFAULT_OVERHEAD_BUDGET,
		.json_types = 10,
	};
	/* Everything after the first "--" is the command, never our flags. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			split = i;
			break;
		}
	}
	/* getopt starts its messages with argv[0]: ours, not the path it was run by. */
	invoked_as = argv[0];
	argv[0] = program_name;
	if (argp_parse(&argp, split, argv, 0, NULL, opts))
		exit(EXIT_USAGE);
	argv[0] = invoked_as;
	if (split < argc) {
		if (split + 1 == argc) {
			cli__usage_error("no command after --");
		}
		opts->command = &argv[split + 1];
	}
	if (scope_options__on(&opts->scope)) {
		if (opts->pid_count || opts->command)
			cli__usage_error("give --cgroup/--all, -p PID or -- COMMAND, not several");
		if (opts->scope.all && opts->scope.cgroup_count)
			cli__usage_error("give either --cgroup or --all, not both");
		/* A scope is a host's worth of processes: the always-on collectors, unless exact
		 * windows (--overhead-budget) or --exact are asked for. */
		if (!opts->exact && !opts->overhead_budget_given) {
			opts->light = true;
			opts->stacks = false;
		}
	} else if (opts->scope.comm_count || opts->scope.exe_count) {
		cli__usage_error("--comm and --exe filter a scope: give --cgroup or --all");
	}
	if (!opts->pid_count && !opts->command && !scope_options__on(&opts->scope)) {
		cli__usage_error("nothing to trace: give -p PID, --cgroup, --all or -- COMMAND "
				 "(see --help)");
	}
	if (opts->pid_count && opts->command) {
		cli__usage_error("give either -p PID or -- COMMAND, not both");
	}
	if (opts->analysis.fail_fast && !opts->command)
		cli__usage_error("--fail-fast ends a launched command: give -- COMMAND");
	if (opts->exact && opts->overhead_budget_given)
		cli__usage_error("--exact probes every call: not with --overhead-budget or --light");
	/* A launched command is traced whole and exactly unless a budget is asked for; so are
	 * frames, whose allocation figures are per call. */
	if ((opts->command || opts->analysis.frame_symbol) && !opts->overhead_budget_given)
		opts->exact = true;
	if (!opts->exact && !opts->overhead_budget) {
		opts->light = true;
		opts->stacks = false;
	}
	if ((opts->pprof_path || opts->folded_path) && !opts->stacks)
		cli__usage_error("--%s needs allocation stacks (not with --no-stacks or --light)",
				 opts->pprof_path ? "pprof" : "folded");
	if (opts->json_all_stacks && !opts->json)
		cli__usage_error("--json-all-stacks shapes the --json summary: give --json too");
	if (opts->live && opts->json && !opts->json_path)
		cli__usage_error("--live and plain --json both write to stdout: give --json=FILE");
	if (opts->pid_count > opts->max_processes)
		cli__usage_error("%zu PIDs given, more than --max-processes %u", opts->pid_count,
				 opts->max_processes);
}

void cli__free(struct options *opts)
{
	free(opts->pids);
	analysis_options__free(&opts->analysis);
	scope_options__free(&opts->scope);
}
