/* --prometheus [ADDR:]PORT on the command line. */
#ifndef MEMTRACE_PROMETHEUS_CLI_H
#define MEMTRACE_PROMETHEUS_CLI_H

#include "output/prometheus/listen.h"

/* Exits with one line and EXIT_PROMETHEUS_ADDRESS or EXIT_PROMETHEUS_PORT if arg is bad. */
void prometheus_cli__parse(const char *arg, struct prom_listen *out);

#endif
