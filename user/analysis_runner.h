/* The analysis in the main loop: frames, spikes, leaks, drift, budgets and alerts.
 * Plain C over reports (no libbpf); memtrace.c feeds it, the outputs print what it finds. */
#ifndef MEMTRACE_ANALYSIS_RUNNER_H
#define MEMTRACE_ANALYSIS_RUNNER_H

#include "analysis_events.h"
#include "analysis_options.h"
#include "frame_report.h"
#include "output.h"
#include "report.h"

struct analysis_runner;

/* The outputs are borrowed. NULL on failure, with the reason printed (a bad --baseline). */
struct analysis_runner *analysis_runner__new(const struct analysis_options *opts,
					     struct output **outputs, int output_count);
/* Start time of the trace (CLOCK_MONOTONIC): the first frame starts there. */
void analysis_runner__start(struct analysis_runner *a, uint64_t start_ns);
/* A frame ended: written to the outputs, checked for spikes. */
void analysis_runner__frame(struct analysis_runner *a, const struct frame_report *f);
/* Before an interval's report is written: adds the system context, runs the detectors over
 * it (r->stacks: top stacks by live bytes, if the loader read them). */
void analysis_runner__interval(struct analysis_runner *a, struct process_report *r);
/* Before the summary is written: the same, then r->analysis lists what was found.
 * aged: outstanding allocations older than --leak-age (borrowed until the summary is out). */
void analysis_runner__summary(struct analysis_runner *a, struct process_report *r,
			      const struct aged_report *aged, size_t aged_count);
/* EXIT_OK, or EXIT_LEAK / EXIT_BUDGET when --fail-on-leak / --fail-on-budget tripped. */
int analysis_runner__exit_code(const struct analysis_runner *a);
void analysis_runner__free(struct analysis_runner *a);

#endif
