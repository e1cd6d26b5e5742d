/* What the Prometheus endpoint serves: the latest figures of each traced process, updated by
 * the output's callbacks (the collector's thread) and rendered by the HTTP thread, both under
 * the table's mutex. Bounded: a process's entry holds at most top_types Python types, a fixed
 * number of leak, drift and budget series; an exited process's entry is served once more,
 * then dropped. Metric names and labels: docs/prometheus.md. */
#ifndef MEMTRACE_PROM_TABLE_H
#define MEMTRACE_PROM_TABLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/report.h"
#include "output/prometheus/text.h"

struct analysis_event;
struct frame_report;
struct prom_process;

struct prom_table {
	pthread_mutex_t lock;
	struct prom_process **procs;
	size_t count, capacity;
	uint32_t top_types;          /* Python types per process, by live count */
	bool frames_on;              /* --frame: frame counts and durations are known */
	size_t exited_limit;         /* exited entries kept for the next scrape, at most */
};

int prom_table__init(struct prom_table *t, uint32_t top_types, bool frames_on,
		     size_t exited_limit);
void prom_table__interval(struct prom_table *t, const struct process_report *r);
/* The process's last figures; its entry is dropped once a scrape has served them. */
void prom_table__summary(struct prom_table *t, const struct process_report *r);
void prom_table__event(struct prom_table *t, const struct analysis_event *ev);
void prom_table__frame(struct prom_table *t, const struct frame_report *f);
/* Every family with its HELP and TYPE lines; then drops the exited entries it served.
 * Returns 0 or -ENOMEM. */
int prom_table__render(struct prom_table *t, struct prom_text *out);
void prom_table__free(struct prom_table *t);

#endif
