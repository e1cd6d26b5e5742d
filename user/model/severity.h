/* How bad a leak is (docs/analysis.md says how it is judged): plain data that the analysis
 * assigns, the outputs print and --fail-on-leak compares. */
#ifndef MEMTRACE_SEVERITY_H
#define MEMTRACE_SEVERITY_H

#include <stdbool.h>

enum leak_severity {
	LEAK_SEVERITY_NONE,
	LEAK_SEVERITY_LOW,
	LEAK_SEVERITY_MEDIUM,
	LEAK_SEVERITY_HIGH,
	LEAK_SEVERITY_CRITICAL,
};

const char *leak_severity_name(enum leak_severity severity);
/* "low", "medium", "high" or "critical", in any case; false for anything else. */
bool leak_severity_parse(const char *name, enum leak_severity *severity);

#endif
