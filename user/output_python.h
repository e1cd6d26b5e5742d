/* The Python part of the output writers (schema: docs/python.md, docs/json.md). */
#ifndef MEMTRACE_OUTPUT_PYTHON_H
#define MEMTRACE_OUTPUT_PYTHON_H

#include <stdio.h>

#include "json_writer.h"
#include "report.h"

#define PYTHON_CONSOLE_TOP_TYPES 15

/* The "python" member of an interval or summary object; nothing when r->python is NULL. */
void json_write_python(struct json_writer *w, const struct process_report *r);
/* One {"type":"gc", ...} line per collection of the interval. */
void json_write_gc_events(struct json_writer *w, const struct process_report *r);
/* An indented line under the interval line: objects, pymalloc, GC counts and time. */
void console_write_python_interval(FILE *f, const struct process_report *r);
/* Native vs Python memory and the top types by live count. */
void console_write_python_summary(FILE *f, const struct process_report *r);

#endif
