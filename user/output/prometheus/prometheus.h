/* --prometheus: /metrics in the text exposition format, served by libmicrohttpd on its own
 * thread from a table the output's callbacks keep (table.h). docs/prometheus.md. */
#ifndef MEMTRACE_PROMETHEUS_H
#define MEMTRACE_PROMETHEUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/prometheus/listen.h"

struct output;

/* Listens at once; *out is the output. Returns an exit_code (EXIT_PROMETHEUS_LISTEN: the
 * address cannot be bound, said on stderr). */
int prometheus_output__open(const struct prom_listen *listen, uint32_t top_types,
			    bool frames_on, size_t max_processes, struct output **out);

#endif
