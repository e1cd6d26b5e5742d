// SPDX-License-Identifier: GPL-2.0
#include "cli/analysis_cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/budget_tree.h"
#include "model/severity.h"
#include "cli/cli.h"
#include "cli/parse.h"
#include "model/exit_codes.h"

enum {
	OPT_FRAME = 0x200,
	OPT_STAGE,
	OPT_TARGET_FPS,
	OPT_SPIKE_BYTES,
	OPT_LEAK_AGE,
	OPT_WARMUP,
	OPT_BASELINE,
	OPT_BUDGET,
	OPT_ON_EVENT,
	OPT_ON_EVENT_RATE,
	OPT_FAIL_ON_LEAK,
	OPT_FAIL_ON_BUDGET,
	OPT_TEMPORARY_MS,
	OPT_FORECAST_HORIZON,
	OPT_FAIL_FAST,
};

static const struct argp_option options[] = {
	{ "frame", OPT_FRAME, "SYMBOL[:LIB]", 0,
	  "Each call of this native function ends a frame (C++ names demangled are accepted); "
	  "a JSON line per frame. Without it a frame is one -i interval", 0 },
	{ "stage", OPT_STAGE, "NAME=SYMBOL", 0,
	  "A call of SYMBOL begins stage NAME of the frame (repeatable, up to 8)", 0 },
	{ "target-fps", OPT_TARGET_FPS, "N", 0,
	  "Frames longer than 1.5/N s (less the probes' time) count as dropped; the summary "
	  "compares their memory", 0 },
	{ "spike-bytes", OPT_SPIKE_BYTES, "SIZE", 0,
	  "A frame (interval) allocating SIZE or more is a spike, besides the median/MAD rule", 0 },
	{ "leak-age", OPT_LEAK_AGE, "SECONDS", 0,
	  "The summary lists outstanding allocations older than this, by stack", 0 },
	{ "temporary-ms", OPT_TEMPORARY_MS, "MS", 0,
	  "A block freed within MS milliseconds of its allocation is temporary (default 1)", 0 },
	{ "warmup", OPT_WARMUP, "SECONDS", 0,
	  "Drift: compare with the first snapshot after SECONDS; --fail-on-leak's survival "
	  "counts what was made after it", 0 },
	{ "baseline", OPT_BASELINE, "FILE", 0,
	  "Drift: compare with the summary of an earlier run's NDJSON FILE", 0 },
	{ "budget", OPT_BUDGET, "SPEC", 0,
	  "SIZE (process RSS), TYPE=COUNT (Python type), stack:FUNC=SIZE or lib:NAME=SIZE "
	  "(live bytes of stacks through FUNC or NAME), gpu=SIZE or gpu:DEVICE=SIZE (GPU live "
	  "bytes); processes, pid:N, comm:NAME or "
	  "container:ID=SIZE (RSS of those traced processes together); PARENT/NAME=LIMIT: a "
	  "child of an earlier budget (a parent named by no metric sums its children); "
	  "repeatable", 0 },
	{ "on-event", OPT_ON_EVENT, "CMD", 0,
	  "Run CMD (sh -c) with each event's JSON (spike, leak, drift, budget, fragmentation, "
	  "forecast) on stdin", 0 },
	{ "on-event-rate", OPT_ON_EVENT_RATE, "N", 0,
	  "At most N --on-event commands per second, bursts of 5 (default 1)", 0 },
	{ "fail-on-leak", OPT_FAIL_ON_LEAK, "SEVERITY", OPTION_ARG_OPTIONAL,
	  "Exit 10 if a leak of SEVERITY (low, medium, high, critical; default low) or worse "
	  "was found; at a process's exit also by what it made after --warmup (default 1 s) "
	  "and still held", 0 },
	{ "fail-fast", OPT_FAIL_FAST, NULL, 0,
	  "With --fail-on-leak and -- COMMAND: end the command (SIGTERM) as soon as such a leak "
	  "is found, and exit 10", 0 },
	{ "fail-on-budget", OPT_FAIL_ON_BUDGET, NULL, 0, "Exit 11 if a budget was exceeded", 0 },
	{ "forecast-horizon", OPT_FORECAST_HORIZON, "DURATION", 0,
	  "A forecast event when a budget or the cgroup's memory limit is reached within "
	  "DURATION at the current trend (default 1h)", 0 },
	{ 0 },
};

char *split_symbol_lib(const char *spec, const char **lib)
{
	char *name = strdup(spec);
	char *colon = NULL;

	*lib = NULL;
	if (!name)
		return NULL;
	for (char *c = name; *c; c++)
		if (*c == ':' && c[1] != ':' && (c == name || c[-1] != ':'))
			colon = c;
	if (colon) {
		*colon = 0;
		*lib = colon + 1;
	}
	return name;
}

void analysis_options__free(struct analysis_options *o)
{
	free((char *)o->frame_symbol);
	o->frame_symbol = o->frame_lib = NULL;
	for (int i = 0; i < o->stage_count; i++)
		free((char *)o->stage_names[i]);
	o->stage_count = 0;
	for (int b = 0; b < o->budget_count; b++)
		free(o->budgets[b].name);
	o->budget_count = 0;
}

static double parse_positive(const char *arg, const char *flag)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || isspace((unsigned char)*arg) || !(v > 0) || v > 1e6)
		cli__usage_error("invalid %s: %s (a positive number)", flag, arg);
	return v;
}

/* A budget named gpu:N names a device by its number. */
static bool gpu_budget_name_valid(const char *name)
{
	if (!name || strncmp(name, "gpu:", 4))
		return true;
	for (const char *c = name + 4; *c; c++)
		if (!isdigit((unsigned char)*c))
			return false;
	return name[4] != 0;
}

static error_t parse_option(int key, char *arg, struct argp_state *state)
{
	struct analysis_options *o = state->input;
	char *eq;
	int sev;

	switch (key) {
	case OPT_FRAME:
		free((char *)o->frame_symbol); /* the last --frame wins */
		o->frame_symbol = split_symbol_lib(arg, &o->frame_lib);
		if (!o->frame_symbol || !*o->frame_symbol || (o->frame_lib && !*o->frame_lib))
			cli__usage_error("invalid --frame: %s (SYMBOL or SYMBOL:LIB)", arg);
		break;
	case OPT_STAGE:
		eq = strchr(arg, '=');
		if (!eq || eq == arg || !eq[1])
			cli__usage_error("invalid --stage: %s (NAME=SYMBOL)", arg);
		if (o->stage_count == FRAMES_MAX_STAGES)
			cli__usage_error("too many --stage: at most %d", FRAMES_MAX_STAGES);
		o->stage_names[o->stage_count] = strndup(arg, eq - arg);
		o->stage_symbols[o->stage_count++] = eq + 1;
		break;
	case OPT_TARGET_FPS:
		o->target_fps = parse_positive(arg, "--target-fps");
		break;
	case OPT_SPIKE_BYTES:
		if (!parse_size(arg, &o->spike_bytes) || !o->spike_bytes)
			cli__usage_error("invalid --spike-bytes: %s (a size such as 64K or 10M)", arg);
		break;
	case OPT_LEAK_AGE:
		if (!parse_duration_ns(arg, &o->leak_age_ns))
			cli__usage_error("invalid --leak-age: %s", arg);
		break;
	case OPT_TEMPORARY_MS:
		o->temporary_ns = (uint64_t)(parse_positive(arg, "--temporary-ms") * 1e6 + 0.5);
		if (!o->temporary_ns)
			cli__usage_error("invalid --temporary-ms: %s (at least 0.000001)", arg);
		break;
	case OPT_WARMUP:
		if (!parse_duration_ns(arg, &o->warmup_ns))
			cli__usage_error("invalid --warmup: %s", arg);
		o->warmup_set = true;
		break;
	case OPT_BASELINE:
		if (!*arg)
			cli__usage_error("invalid --baseline: empty name");
		o->baseline_path = arg;
		break;
	case OPT_BUDGET:
		if (o->budget_count == ANALYSIS_MAX_BUDGETS)
			cli__usage_error("too many --budget: at most %d", ANALYSIS_MAX_BUDGETS);
		if (parse_budget_spec(arg, &o->budgets[o->budget_count]) ||
		    !gpu_budget_name_valid(o->budgets[o->budget_count].name))
			cli__usage_error("invalid --budget: %s (SIZE, TYPE=COUNT, stack:FUNC=SIZE, "
				    "lib:NAME=SIZE, gpu=SIZE or gpu:DEVICE=SIZE)", arg);
		o->budget_count++;
		break;
	case OPT_ON_EVENT:
		if (!*arg)
			cli__usage_error("invalid --on-event: empty command");
		o->on_event = arg;
		break;
	case OPT_ON_EVENT_RATE:
		o->on_event_per_s = parse_positive(arg, "--on-event-rate");
		break;
	case OPT_FAIL_ON_LEAK: {
		enum leak_severity s = LEAK_SEVERITY_LOW;

		if (arg && !leak_severity_parse(arg, &s))
			cli__usage_error("invalid --fail-on-leak: %s (low, medium, high or critical)", arg);
		sev = s;
		o->fail_on_leak = true;
		o->fail_on_leak_severity = sev;
		break;
	}
	case OPT_FAIL_ON_BUDGET:
		o->fail_on_budget = true;
		break;
	case OPT_FORECAST_HORIZON:
		if (!parse_duration_ns(arg, &o->forecast_horizon_ns))
			cli__usage_error("invalid --forecast-horizon: %s (a duration such as 90s, 10m "
					 "or 1h)", arg);
		break;
	case OPT_FAIL_FAST:
		o->fail_fast = true;
		break;
	case ARGP_KEY_END: {
		struct budget_node nodes[ANALYSIS_MAX_BUDGETS];
		char why[256];

		if (budget_tree__build(o->budgets, o->budget_count, nodes, why, sizeof(why)))
			cli__usage_error("invalid --budget: %s", why);
		if (o->stage_count && !o->frame_symbol)
			cli__usage_error("--stage needs --frame");
		if (o->fail_on_budget && !o->budget_count)
			cli__usage_error("--fail-on-budget needs a --budget");
		if (o->fail_fast && !o->fail_on_leak)
			cli__usage_error("--fail-fast needs --fail-on-leak");
		if (o->warmup_set && o->baseline_path)
			cli__usage_error("give either --warmup or --baseline, not both");
		break;
	}
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp analysis_argp = { options, parse_option, NULL, NULL, NULL, NULL, NULL };
