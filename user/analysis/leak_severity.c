#include "analysis/leaks.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

const struct leak_thresholds leak_thresholds_bytes = {
	.medium_per_hour = 10 * MIB,
	.high_per_hour = 100 * MIB,
	.critical_per_hour = 1 * GIB,
};

const struct leak_thresholds leak_thresholds_objects = {
	.medium_per_hour = 10000,
	.high_per_hour = 100000,
	.critical_per_hour = 1000000,
};

/* The rate alone: a share of the level would fall as the leak itself raises the level, and
 * the same leak would rank lower the longer the process had been up. */
enum leak_severity leak_severity_classify(const struct leak_thresholds *th, double growth_per_s)
{
	double per_hour = growth_per_s * 3600;

	if (!(growth_per_s > 0))
		return LEAK_SEVERITY_NONE;
	if (per_hour >= th->critical_per_hour)
		return LEAK_SEVERITY_CRITICAL;
	if (per_hour >= th->high_per_hour)
		return LEAK_SEVERITY_HIGH;
	if (per_hour >= th->medium_per_hour)
		return LEAK_SEVERITY_MEDIUM;
	return LEAK_SEVERITY_LOW;
}

enum leak_severity leak_severity_of_objects(double objects_per_s, double bytes_per_object)
{
	enum leak_severity by_count = leak_severity_classify(&leak_thresholds_objects,
							     objects_per_s);
	enum leak_severity by_bytes = leak_severity_classify(&leak_thresholds_bytes,
							     objects_per_s * bytes_per_object);

	return by_bytes > by_count ? by_bytes : by_count;
}
