#include <math.h>
#include <stddef.h>

#include "analysis/robust_stats.h"

static void swap(double *a, double *b)
{
	double tmp = *a;

	*a = *b;
	*b = tmp;
}

static double median_of_three(double a, double b, double c)
{
	if (a > b)
		swap(&a, &b);
	if (b > c)
		b = c;
	return a > b ? a : b;
}

/*
 * Hoare's selection: afterwards v[k] holds the k-th smallest value, with
 * nothing larger before it and nothing smaller after it. Equal values split
 * evenly, so series full of ties (flat data, identical slopes) stay linear.
 */
static double select_kth(double *v, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (lo < hi) {
		double pivot = median_of_three(v[lo], v[lo + (hi - lo) / 2], v[hi]);
		ptrdiff_t i = lo, j = hi;

		do {
			while (v[i] < pivot)
				i++;
			while (pivot < v[j])
				j--;
			if (i <= j)
				swap(&v[i++], &v[j--]);
		} while (i <= j);
		if (j < kk)
			lo = i;
		if (kk < i)
			hi = j;
	}
	return v[kk];
}

double stats__quantile(double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t k = (size_t)pos;
	double frac = pos - (double)k;
	double lower, upper;
	size_t i;

	lower = select_kth(v, n, k);
	if (frac == 0.0 || k + 1 >= n)
		return lower;
	/* the next order statistic is the smallest value after position k */
	upper = v[k + 1];
	for (i = k + 2; i < n; i++)
		if (v[i] < upper)
			upper = v[i];
	return lower + frac * (upper - lower);
}

double stats__median(double *v, size_t n)
{
	return stats__quantile(v, n, 0.5);
}

double stats__mad(double *v, size_t n, double center)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = fabs(v[i] - center);
	return stats__median(v, n);
}
