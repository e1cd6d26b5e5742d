/* The sections of a JSON line, written by output/json/ and by --on-event (docs/json.md). */
#ifndef MEMTRACE_OUTPUT_JSON_SECTIONS_H
#define MEMTRACE_OUTPUT_JSON_SECTIONS_H

#include "model/analysis_events.h"
#include "model/frame_report.h"
#include "model/report.h"
#include "output/json_writer.h"

void json_write_frame(struct json_writer *w, const struct frame_report *f);
void json_write_event(struct json_writer *w, const struct analysis_event *ev);
void json_write_system(struct json_writer *w, const struct process_report *r);
void json_write_analysis(struct json_writer *w, const struct process_report *r);
/* The types a line lists: indices into python.types, ascending (most live first). */
struct json_type_listing {
	const size_t *index;
	size_t count;
};

/* listing NULL: every type of the census. */
void json_write_python(struct json_writer *w, const struct process_report *r,
		       const struct json_type_listing *listing);
void json_write_gc_events(struct json_writer *w, const struct process_report *r);
/* "python_stack": [{function, file, line}], innermost first, and "python_stack_truncated". */
void json_write_python_stack(struct json_writer *w, const struct python_stack *st);
/* The summary's "heap_growth" (every stack) and python's "growth" (those with Python frames). */
void json_write_heap_growth(struct json_writer *w, const struct process_report *r);
void json_write_fragmentation(struct json_writer *w, const struct process_report *r);
void json_write_python_growth(struct json_writer *w, const struct process_report *r);
struct group_totals;
/* A "container" line per group (model/group_report.h). */
void json_write_groups(struct json_writer *w, const struct group_totals *t);
/* "lifetimes": {freed, temporary, survivors, survival_share, mean/median/p90_ns, histogram}. */
void json_write_lifetimes(struct json_writer *w, const struct lifetime_stats *s, uint64_t allocs,
			  uint64_t live);
/* The summary's "lifetimes" (the process's, with temporary_ms) and "pools" (null: unknown). */
void json_write_lifetime_summary(struct json_writer *w, const struct process_report *r);
/* "stacks": r's stacks as the summary lists them. */
void json_write_stacks(struct json_writer *w, const struct process_report *r);
/* An oom event's fields: the kernel's figures and the last snapshot. */
void json_write_oom(struct json_writer *w, const struct analysis_event *ev);
/* "gpu", where a CUDA library is probed; its allocating stacks with stacks (the summary). */
void json_write_gpu(struct json_writer *w, const struct process_report *r, bool stacks);

#endif
