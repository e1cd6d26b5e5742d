/* The pieces of Prometheus's text exposition format (version 0.0.4) that need care: a
 * growable buffer, escaped label values and HELP text, sample values. Plain C, unit-tested
 * (tests/unit/test_prometheus_text.c). */
#ifndef MEMTRACE_PROM_TEXT_H
#define MEMTRACE_PROM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prom_text {
	char *data;
	size_t len, capacity;
	bool failed;                 /* out of memory: the text is incomplete */
};

void prom_text__append(struct prom_text *t, const char *bytes, size_t n);
void prom_text__printf(struct prom_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A label value between its quotes: \ " and newline escaped, bytes that are not UTF-8 as '?'
 * (Prometheus refuses a scrape with invalid UTF-8 in a label value). */
void prom_text__label_value(struct prom_text *t, const char *value);
/* HELP text: \ and newline escaped. */
void prom_text__help(struct prom_text *t, const char *help);
/* A sample value: integers exactly, +Inf, -Inf and NaN spelled as the format wants. */
void prom_text__double(struct prom_text *t, double v);
void prom_text__free(struct prom_text *t);

#endif
