#include <stdbool.h>

#include "analysis/leaks.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

const struct leak_thresholds leak_thresholds_bytes = {
	.medium = { .per_hour = 10 * MIB, .pct_per_min = 0.5 },
	.high = { .per_hour = 100 * MIB, .pct_per_min = 2 },
	.critical = { .per_hour = 1 * GIB, .pct_per_min = 10 },
	.pct_min_level = 1 * MIB,
};

const struct leak_thresholds leak_thresholds_objects = {
	.medium = { .per_hour = 10000, .pct_per_min = 0.5 },
	.high = { .per_hour = 100000, .pct_per_min = 2 },
	.critical = { .per_hour = 1000000, .pct_per_min = 10 },
	.pct_min_level = 1000,
};

static bool reaches(const struct leak_tier *tier, double per_hour, double pct_per_min,
		    bool pct_counts)
{
	return per_hour >= tier->per_hour || (pct_counts && pct_per_min >= tier->pct_per_min);
}

enum leak_severity leak_severity_classify(const struct leak_thresholds *th, double growth_per_s,
					  double level)
{
	double per_hour = growth_per_s * 3600;
	bool pct_counts = level >= th->pct_min_level && level > 0;
	double pct_per_min = pct_counts ? growth_per_s * 60 / level * 100 : 0;

	if (growth_per_s <= 0)
		return LEAK_SEVERITY_NONE;
	if (reaches(&th->critical, per_hour, pct_per_min, pct_counts))
		return LEAK_SEVERITY_CRITICAL;
	if (reaches(&th->high, per_hour, pct_per_min, pct_counts))
		return LEAK_SEVERITY_HIGH;
	if (reaches(&th->medium, per_hour, pct_per_min, pct_counts))
		return LEAK_SEVERITY_MEDIUM;
	return LEAK_SEVERITY_LOW;
}
