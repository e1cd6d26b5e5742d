// SPDX-License-Identifier: GPL-2.0
#include "cli/parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool parse_unsigned(const char *s, unsigned long long max, unsigned long long *value)
{
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*value = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *value <= max;
}

bool parse_pid(const char *s, pid_t *pid)
{
	unsigned long long value;

	/* The kernel's PID_MAX_LIMIT is 2^22. */
	if (!parse_unsigned(s, 4194304, &value) || value == 0)
		return false;
	*pid = (pid_t)value;
	return true;
}

bool parse_uint32_range(const char *s, uint32_t min, uint32_t max, uint32_t *value)
{
	unsigned long long v;

	if (!parse_unsigned(s, max, &v) || v < min)
		return false;
	*value = (uint32_t)v;
	return true;
}

bool parse_duration_ns(const char *s, uint64_t *ns)
{
	static const struct { const char *suffix; double ns; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	double value, scaled;
	char *end;

	if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return false;
	errno = 0;
	value = strtod(s, &end);
	if (errno || end == s || !isfinite(value))
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		scaled = value * units[i].ns;
		/* At most 100 years, at least a microsecond. */
		if (scaled < 1e3 || scaled > 3.2e18)
			return false;
		*ns = (uint64_t)scaled;
		return true;
	}
	return false;
}
