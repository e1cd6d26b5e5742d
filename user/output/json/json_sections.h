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
void json_write_python_growth(struct json_writer *w, const struct process_report *r);
/* "gpu", where a CUDA library is probed; its allocating stacks with stacks (the summary). */
void json_write_gpu(struct json_writer *w, const struct process_report *r, bool stacks);

#endif
