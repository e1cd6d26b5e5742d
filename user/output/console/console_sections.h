/* The sections of the console table, written by output/console/. */
#ifndef MEMTRACE_OUTPUT_CONSOLE_SECTIONS_H
#define MEMTRACE_OUTPUT_CONSOLE_SECTIONS_H

#include <stdio.h>

#include "model/analysis_events.h"
#include "model/report.h"

#define PYTHON_CONSOLE_TOP_TYPES 15

/* "12.3 MiB", "-512 B": sizes a person reads at a glance. */
const char *console_bytes(double bytes, char *buf, size_t size);
void console_write_event(FILE *f, const struct analysis_event *ev);
void console_write_analysis(FILE *f, const struct process_report *r);
void console_write_python_interval(FILE *f, const struct process_report *r);
void console_write_python_summary(FILE *f, const struct process_report *r);
/* A Python stack, a line a frame, innermost first. */
void console_write_python_stack(FILE *f, const struct python_stack *st, const char *indent);
void console_write_heap_growth(FILE *f, const struct process_report *r);
struct group_totals;
/* A line per container (model/group_report.h). */
void console_write_groups(FILE *f, const struct group_totals *t);
/* A stack's lifetimes line, under its frames. */
void console_write_stack_lifetimes(FILE *f, const struct stack_report *s, double temporary_ms);
/* The process's lifetimes (a histogram) and its pool hints. */
void console_write_lifetimes(FILE *f, const struct process_report *r);
void console_write_fragmentation_interval(FILE *f, const struct process_report *r);
void console_write_fragmentation(FILE *f, const struct process_report *r);
/* An oom event's lines: the victim, its top stacks and types, its heap growth sites. */
void console_write_oom(FILE *f, const struct analysis_event *ev);
/* A line per GPU device where a CUDA library is probed (and its top stacks, in the summary). */
void console_write_gpu_interval(FILE *f, const struct process_report *r);
void console_write_gpu_summary(FILE *f, const struct process_report *r);

#endif
