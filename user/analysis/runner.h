/* The analysis in the main loop: frames, spikes, leaks, drift, budgets and alerts.
 * Plain C over reports (no libbpf); session/main.c feeds it, the outputs print what it finds. */
#ifndef MEMTRACE_ANALYSIS_RUNNER_H
#define MEMTRACE_ANALYSIS_RUNNER_H

#include "analysis/frame_leaks.h"
#include "analysis/options.h"
#include "model/analysis_events.h"
#include "model/frame_report.h"
#include "model/report.h"
#include "output/output.h"

struct analysis_runner;
/* One traced process's detector state (series, spikes, budgets, drift, frames). */
struct analysis_process;

/* The outputs are borrowed. NULL on failure, with the reason printed (a bad --baseline). */
struct analysis_runner *analysis_runner__new(const struct analysis_options *opts,
					     struct output **outputs, int output_count);
/* What the runner asks of the loader when it needs it (it reads no BPF map itself). */
struct analysis_hooks {
	void *ctx;
	/* Fills st->frames and st->depth from st->stack_id (an allocating stack of pid). */
	void (*symbolize)(void *ctx, pid_t pid, struct stack_report *st);
	/* The stack that allocated most in the interval just reported (in_frame false), or
	 * since that interval's report (in_frame: at a frame's spike). False when unknown. */
	bool (*top_stack)(void *ctx, pid_t pid, bool in_frame, int *stack_id, uint64_t *bytes);
	/* What holds the instances of the Python type named type_name, for its leak event
	 * (out->known stays false when it cannot be told). */
	void (*retained_by)(void *ctx, pid_t pid, const char *type_name,
			    struct retainer_report *out);
	/* --frame: pid's live blocks allocated in (since_ns, until_ns], into *out (freed by the
	 * caller). 0, or a negative errno. */
	int (*live_blocks)(void *ctx, pid_t pid, uint64_t since_ns, uint64_t until_ns,
			   struct frame_block **out, size_t *count);
};

void analysis_runner__set_hooks(struct analysis_runner *a, const struct analysis_hooks *hooks);
/* Start time of the trace (CLOCK_MONOTONIC): the first frame starts there. */
void analysis_runner__start(struct analysis_runner *a, uint64_t start_ns);
/* A process to watch: its state, owned by the caller until analysis_process__free. */
struct analysis_process *analysis_process__new(struct analysis_runner *a, pid_t pid);
void analysis_process__free(struct analysis_process *p);
/* A frame of p ended: written to the outputs, checked for spikes. */
void analysis_runner__frame(struct analysis_runner *a, struct analysis_process *p,
			    const struct frame_report *f);
/* Before an interval's report is written: adds the system context, runs the detectors over
 * it (r->stacks: top stacks by live bytes, if the loader read them; stacks with depth 0 are
 * symbolized through the hooks when a budget or an event needs their frames). */
void analysis_runner__interval(struct analysis_runner *a, struct analysis_process *p,
			       struct process_report *r);
/* Before the summary is written: the same, then r->analysis lists what was found.
 * aged: outstanding allocations older than --leak-age (borrowed until the summary is out). */
void analysis_runner__summary(struct analysis_runner *a, struct analysis_process *p,
			      struct process_report *r, const struct aged_report *aged,
			      size_t aged_count);
/* EXIT_OK, or EXIT_LEAK / EXIT_BUDGET when --fail-on-leak / --fail-on-budget tripped. */
/* The default mode: a native stack found leaking at an exact window's close (window_leaks.h):
 * growth_per_s while watched, live bytes now, windows it grew in. Emitted as a leak event
 * (samples = windows) when its severity rises, and listed in the summary. */
void analysis_runner__window_leak(struct analysis_runner *a, struct analysis_process *p,
				  int stack_id, double growth_per_s, double live, size_t windows,
				  uint64_t elapsed_ns);
/* Every process of a poll has been reported: the budgets over processes (processes, pid:,
 * comm:, container:) are checked on the RSS of their last intervals; their events have pid 0. */
void analysis_runner__poll_done(struct analysis_runner *a, uint64_t now_ns);
/* The kernel's OOM killer picked p: an oom event with its last snapshot (borrowed), written
 * by every output now, while the process is going. */
void analysis_runner__oom(struct analysis_runner *a, struct analysis_process *p,
			  const struct oom_victim *victim, const struct process_report *snapshot);
int analysis_runner__exit_code(const struct analysis_runner *a);
void analysis_runner__free(struct analysis_runner *a);

#endif
