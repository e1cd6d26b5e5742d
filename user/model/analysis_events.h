/* What the analysis tells: events (spike, leak, drift, budget, fragmentation, forecast) as
 * they happen, and the lists the summary carries. Plain data for the output writers. */
#ifndef MEMTRACE_ANALYSIS_EVENTS_H
#define MEMTRACE_ANALYSIS_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/frame_report.h"
#include "model/oom_victim.h"
#include "model/python_stack.h"
#include "model/retainer_report.h"
#include "model/severity.h"

enum analysis_event_type {
	EVENT_SPIKE, EVENT_LEAK, EVENT_DRIFT, EVENT_BUDGET, EVENT_FRAGMENTATION, EVENT_FORECAST,
	EVENT_OOM,
};

struct process_report;

struct analysis_event {
	enum analysis_event_type type;
	pid_t pid;
	uint64_t elapsed_ns;
	/* spike */
	bool in_frame;               /* seq is a frame's, else an interval's */
	uint64_t seq;
	double bytes, baseline_bytes, ratio, mads;
	bool over_limit;             /* --spike-bytes fired */
	char top[256];               /* innermost frame of the stack that allocated most; "" */
	double top_bytes;            /* what that stack allocated (see docs/json.md) */
	char top_python[768];        /* its innermost Python frame, "file:line function"; "" */
	char top_type[64];           /* Python type whose live count grew most; "" unknown */
	double top_type_growth;
	/* leak */
	bool python_type;            /* kind: python_type, else native_stack; budget: counts objects */
	char name[256];              /* type name, or the stack's innermost frame */
	char **stack;                /* native_stack: frames, innermost first */
	size_t depth;
	const struct python_stack *python_stack; /* native_stack: the Python code; NULL: none */
	enum leak_severity severity;
	double growth_per_s, live;
	size_t samples;
	bool per_frame_known;        /* --frame: found leaking in frames (frame_leaks.h) */
	double per_frame;            /* bytes (objects) left behind per judged frame */
	uint64_t frames_judged, frames_left;
	struct retainer_report retained_by; /* python_type, census mode: what holds them */
	/* A leak judged at exit by survival (docs/analysis.md): growth_per_s and live are then
	 * what survived per second and in all since warmup_s; made -1 and share -1: not known. */
	bool survival;
	double warmup_s, made, survived_share;
	/* drift */
	char metric[96];
	double baseline, current, change, rel;
	/* budget */
	char budget[96];             /* its path: PARENT/NAME for a child */
	char budget_parent[96];      /* the parent's path; "" for a top-level budget */
	int budget_level;            /* 0 top level, 1 a child, ... */
	bool budget_group;           /* its value is the sum of its children's */
	const char *state;           /* "exceeded", "recovered" (and "over" in the summary) */
	double value, limit, excess, since_s, duration_s, peak;
	/* fragmentation: name is the allocator ("glibc", "pymalloc"); live (above), what it
	 * holds, RSS, their gap and its growth; growth_per_s is the live bytes' */
	double held, rss, gap, gap_growth_per_s;
	/* forecast: budget names the limit ("cgroup" or a --budget), value and limit the figures,
	 * growth_per_s the trend; the time to the limit and its 95% band (eta_high_s INFINITY:
	 * no upper bound) */
	double eta_s, eta_low_s, eta_high_s, horizon_s;
	/* oom (name: the innermost frame of the top stack by live bytes, "" unknown) */
	struct oom_victim victim;
	/* The last snapshot: top stacks by live bytes, Python types, heap growth sites.
	 * Borrowed: valid while the event is being written. */
	const struct process_report *snapshot;
};

/* Outstanding allocations older than --leak-age, by stack (filled by the loader). */
struct aged_report {
	int stack_id;
	uint64_t count, bytes, oldest_age_ns;
	size_t depth;
	char **frames;
};

struct analysis_summary {
	struct analysis_event *spikes, *leaks, *drift, *budgets;
	size_t spike_count, leak_count, drift_count, budget_count;
	struct analysis_event *forecasts;  /* the latest known forecast of each limit */
	size_t forecast_count;
	size_t spikes_total;         /* spikes listed may be capped */
	bool frames_on;
	const struct frame_stats *frames;
	double frames_fps;           /* over the last frames (frame_stats__fps) */
	bool leak_age_on;
	uint64_t leak_age_ns;
	const struct aged_report *aged;
	size_t aged_count;
	bool drift_on;
	const char *drift_baseline;  /* "warmup", "file" or NULL (not yet taken) */
	uint64_t events_suppressed;  /* --on-event commands not run: rate limit */
	bool oom_killed;             /* the kernel's OOM killer picked it (an oom event) */
};

#endif
