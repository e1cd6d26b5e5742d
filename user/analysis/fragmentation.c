// SPDX-License-Identifier: GPL-2.0
#include "analysis/fragmentation.h"

#include <string.h>

#define FRAG_MIN_Z 3.0

size_t fragmentation__scratch_len(size_t n)
{
	/* two series of trend points, then the trend functions' own work space */
	return 4 * n + trend__scratch_len(n);
}

/* The Theil-Sen slope of one series, and its growth over the series' span. */
static double growth(const struct trend_point *s, size_t n, double *scratch, double *per_s)
{
	*per_s = trend__theil_sen_slope(s, n, scratch);
	return *per_s * (s[n - 1].t - s[0].t);
}

void fragmentation__judge(const struct frag_point *p, size_t n, double *scratch,
			  struct frag_verdict *out)
{
	struct trend_point *gap = (struct trend_point *)scratch, *live = gap + n;
	double *work = scratch + 4 * n;
	struct mann_kendall mk;

	memset(out, 0, sizeof(*out));
	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		gap[i] = (struct trend_point){ p[i].t, p[i].held - p[i].live };
		live[i] = (struct trend_point){ p[i].t, p[i].live };
	}
	out->gap = gap[n - 1].value;
	if (n < FRAG_MIN_POINTS)
		return;
	trend__mann_kendall(gap, n, work, &mk);
	out->gap_z = mk.z;
	out->gap_growth = growth(gap, n, work, &out->gap_growth_per_s);
	out->live_growth = growth(live, n, work, &out->live_growth_per_s);
	out->fragmenting = mk.z >= FRAG_MIN_Z && out->gap_growth >= FRAG_MIN_GAP_GROWTH &&
			   out->live_growth <= FRAG_MAX_LIVE_SHARE * out->gap_growth;
}
