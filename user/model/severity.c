// SPDX-License-Identifier: GPL-2.0
#include "model/severity.h"

#include <strings.h>

static const char *const severity_names[] = {
	[LEAK_SEVERITY_NONE] = "none",
	[LEAK_SEVERITY_LOW] = "low",
	[LEAK_SEVERITY_MEDIUM] = "medium",
	[LEAK_SEVERITY_HIGH] = "high",
	[LEAK_SEVERITY_CRITICAL] = "critical",
};

const char *leak_severity_name(enum leak_severity severity)
{
	if ((unsigned int)severity >= sizeof(severity_names) / sizeof(severity_names[0]))
		return "unknown";
	return severity_names[severity];
}

bool leak_severity_parse(const char *name, enum leak_severity *severity)
{
	enum leak_severity s;

	if (!name)
		return false;
	for (s = LEAK_SEVERITY_LOW; s <= LEAK_SEVERITY_CRITICAL; s++) {
		if (!strcasecmp(name, severity_names[s])) {
			*severity = s;
			return true;
		}
	}
	return false;
}
