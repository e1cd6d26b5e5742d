#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/drift.h"

#define DEFAULT_REL_THRESHOLD 0.20

const struct drift_floor drift_default_floors[] = {
	{ "*_bytes", 1024.0 * 1024.0 },
	{ "type:*", 100 },
	{ "*_per_s", 1 },
};
const size_t drift_default_floors_cnt = sizeof(drift_default_floors) /
					sizeof(drift_default_floors[0]);

static double floor_for(const char *name, const struct drift_opts *opts)
{
	const struct drift_floor *floors = drift_default_floors;
	size_t i, cnt = drift_default_floors_cnt;

	if (opts && opts->floors) {
		floors = opts->floors;
		cnt = opts->floors_cnt;
	}
	for (i = 0; i < cnt; i++)
		if (!fnmatch(floors[i].pattern, name, 0))
			return floors[i].min_change;
	return 0;
}

static int cmp_metric_name(const void *a, const void *b)
{
	const struct metric *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static const struct metric **sorted_by_name(const struct metric *m, size_t cnt)
{
	const struct metric **v = malloc((cnt ? cnt : 1) * sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < cnt; i++)
		v[i] = &m[i];
	qsort(v, cnt, sizeof(*v), cmp_metric_name);
	return v;
}

static bool significant(const char *name, double base, double now, const struct drift_opts *opts)
{
	double rel_threshold = opts && opts->rel_threshold ? opts->rel_threshold
							   : DEFAULT_REL_THRESHOLD;
	double change = fabs(now - base);

	/* relative alone flags 3 -> 5 objects; absolute alone flags noise on big values */
	return change > 0 && change >= floor_for(name, opts) &&
	       change >= rel_threshold * fabs(base);
}

/* Record one pair; returns the new total. */
static int note(const char *name, double base, double now, const struct drift_opts *opts,
		struct drift *out, size_t max_out, int total)
{
	double change = now - base;

	if (!significant(name, base, now, opts))
		return total;
	if ((size_t)total < max_out) {
		out[total] = (struct drift){
			.name = name,
			.baseline = base,
			.current = now,
			.change = change,
			.rel = base ? change / fabs(base) : copysign(INFINITY, change),
		};
	}
	return total + 1;
}

int drift__compare(const struct metric *baseline, size_t baseline_cnt,
		   const struct metric *current, size_t current_cnt,
		   const struct drift_opts *opts, struct drift *out, size_t max_out)
{
	const struct metric **base, **now;
	bool with_missing = opts && opts->missing_is_zero;
	size_t i = 0, j = 0;
	int total = 0;

	if ((!baseline && baseline_cnt) || (!current && current_cnt) || (!out && max_out))
		return -EINVAL;
	base = sorted_by_name(baseline, baseline_cnt);
	now = sorted_by_name(current, current_cnt);
	if (!base || !now) {
		free(base);
		free(now);
		return -ENOMEM;
	}

	/* merge the two name-sorted sets */
	while (i < baseline_cnt || j < current_cnt) {
		int order = i == baseline_cnt ? 1
			  : j == current_cnt ? -1
			  : strcmp(base[i]->name, now[j]->name);

		if (order == 0) {
			total = note(base[i]->name, base[i]->value, now[j]->value, opts,
				     out, max_out, total);
			i++;
			j++;
		} else if (order < 0) {
			if (with_missing)
				total = note(base[i]->name, base[i]->value, 0, opts,
					     out, max_out, total);
			i++;
		} else {
			if (with_missing)
				total = note(now[j]->name, 0, now[j]->value, opts,
					     out, max_out, total);
			j++;
		}
	}
	free(base);
	free(now);
	return total;
}
