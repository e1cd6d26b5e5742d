/* Flags of frames and analysis (--frame, --spike-bytes, --budget, --fail-on-leak...),
 * parsed by the argp child in user/cli/analysis_cli.c. Zero fields take the defaults. */
#ifndef MEMTRACE_ANALYSIS_OPTIONS_H
#define MEMTRACE_ANALYSIS_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/budget.h"
#include "frames.h"

#define ANALYSIS_MAX_BUDGETS 16
#define ANALYSIS_TEMPORARY_NS 1000000ull  /* --temporary-ms default: 1 ms */

struct analysis_options {
	const char *frame_symbol;    /* --frame SYMBOL[:LIB]: NULL, a frame is one interval */
	const char *frame_lib;       /* the LIB part, or NULL */
	const char *stage_names[FRAMES_MAX_STAGES];
	const char *stage_symbols[FRAMES_MAX_STAGES];
	int stage_count;
	double target_fps;           /* 0: no dropped-frame accounting */
	uint64_t spike_bytes;        /* 0: robust rule only */
	uint64_t leak_age_ns;        /* outstanding allocations older than this are listed */
	uint64_t temporary_ns;       /* --temporary-ms: freed sooner is temporary; 0: default */
	uint64_t warmup_ns;          /* drift baseline: first snapshot after it */
	bool warmup_set;
	const char *baseline_path;   /* drift baseline from an earlier run's NDJSON */
	struct budget_spec budgets[ANALYSIS_MAX_BUDGETS];
	int budget_count;
	const char *on_event;        /* command run with each event's JSON on stdin */
	double on_event_per_s;       /* rate limit of --on-event [1/s, burst 5] */
	bool fail_on_leak;
	int fail_on_leak_severity;   /* enum leak_severity */
	bool fail_fast;              /* end the launched command at once on such a leak */
	bool fail_on_budget;
	uint64_t forecast_horizon_ns; /* a forecast event under it; 0: the default, 1 h */
};

#endif
