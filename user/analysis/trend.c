#include <math.h>
#include <stddef.h>

#include "analysis/robust_stats.h"
#include "analysis/trend.h"

size_t trend__scratch_len(size_t n)
{
	size_t pairs = n < 2 ? 0 : n * (n - 1) / 2;

	return pairs > n ? pairs : n;
}

void trend__mann_kendall(const struct trend_point *p, size_t n, double *scratch,
			 struct mann_kendall *mk)
{
	double pairs = (double)n * (double)(n - 1) / 2;
	double *tie_group = scratch;	/* per point: how many points share its value */
	double ties = 0, var;
	long long s = 0;
	size_t i, j;

	for (i = 0; i < n; i++)
		tie_group[i] = 1;
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			double a = p[i].value, b = p[j].value;

			s += (b > a) - (b < a);
			if (a == b) {
				tie_group[i]++;
				tie_group[j]++;
			}
		}
	}
	/* sum over groups of t(t-1)(2t+5), spread over the t members of each group */
	for (i = 0; i < n; i++)
		ties += (tie_group[i] - 1) * (2 * tie_group[i] + 5);
	var = ((double)n * (double)(n - 1) * (double)(2 * n + 5) - ties) / 18;

	mk->tau = (double)s / pairs;
	/* continuity correction: s moves in steps of 2 */
	if (var <= 0 || s == 0)
		mk->z = 0;
	else
		mk->z = (double)(s > 0 ? s - 1 : s + 1) / sqrt(var);
}

double trend__theil_sen_slope(const struct trend_point *p, size_t n, double *scratch)
{
	size_t i, j, m = 0;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			scratch[m++] = (p[j].value - p[i].value) / (p[j].t - p[i].t);
	return stats__median(scratch, m);
}

double trend__theil_sen_level(const struct trend_point *p, size_t n, double slope, double t,
			      double *scratch)
{
	size_t i;

	/* relative to t, so epoch-sized timestamps lose no precision */
	for (i = 0; i < n; i++)
		scratch[i] = p[i].value - slope * (p[i].t - t);
	return stats__median(scratch, n);
}
