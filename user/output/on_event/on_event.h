/* --on-event CMD: runs CMD (through sh -c) with one event's JSON on stdin, detached. */
#ifndef MEMTRACE_ON_EVENT_H
#define MEMTRACE_ON_EVENT_H

#include "model/analysis_events.h"

void on_event__run(const char *command, const struct analysis_event *ev);

#endif
