/* Frames, analysis events and the analysis part of the summary, for the output writers
 * (schema: docs/json.md, "frames and events"). */
#ifndef MEMTRACE_OUTPUT_EVENTS_H
#define MEMTRACE_OUTPUT_EVENTS_H

#include <stdio.h>

#include "analysis_events.h"
#include "frame_report.h"
#include "json_writer.h"
#include "report.h"

/* {"type":"frame",...} */
void json_write_frame(struct json_writer *w, const struct frame_report *f);
/* {"type":"spike"|"leak"|"drift"|"budget",...} */
void json_write_event(struct json_writer *w, const struct analysis_event *ev);
/* The "system" member of an interval or summary; nothing when r->system is NULL. */
void json_write_system(struct json_writer *w, const struct process_report *r);
/* "frames", "spikes", "leaks", "outstanding", "drift", "budgets" of a summary; nothing when
 * r->analysis is NULL. */
void json_write_analysis(struct json_writer *w, const struct process_report *r);

void console_write_event(FILE *f, const struct analysis_event *ev);
void console_write_analysis(FILE *f, const struct process_report *r);

#endif
