#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analysis/robust_stats.h"
#include "analysis/trend.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_median_quantile_mad(void **state)
{
	double odd[] = { 9, 1, 5, 3, 7 };
	double even[] = { 4, 1, 3, 2 };
	double q[] = { 10, 40, 20, 30, 50 };
	double ties[] = { 2, 2, 2, 2, 2, 2, 9 };
	double mad[] = { 1, 2, 3, 4, 100 };

	(void)state;
	assert_true(stats__median(odd, ARRAY_SIZE(odd)) == 5);
	assert_true(stats__median(even, ARRAY_SIZE(even)) == 2.5);
	assert_true(stats__quantile(q, ARRAY_SIZE(q), 0.25) == 20);
	assert_true(stats__quantile(q, ARRAY_SIZE(q), 0.1) == 14);
	assert_true(stats__quantile(q, ARRAY_SIZE(q), 1.0) == 50);
	assert_true(stats__median(ties, ARRAY_SIZE(ties)) == 2);
	/* deviations from 3: 2 1 0 1 97 */
	assert_true(stats__mad(mad, ARRAY_SIZE(mad), 3) == 1);
}

static void test_selection_on_large_sorted_and_reversed_input(void **state)
{
	static double v[10001];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = (double)i;
	assert_true(stats__median(v, ARRAY_SIZE(v)) == 5000);
	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = (double)(ARRAY_SIZE(v) - i);
	assert_true(stats__quantile(v, ARRAY_SIZE(v), 0.9) == 9001);
}

static void test_mann_kendall_exact_values(void **state)
{
	struct trend_point up[10], flat[10], tied[6];
	struct mann_kendall mk;
	double scratch[45];
	size_t i;

	(void)state;
	for (i = 0; i < 10; i++) {
		up[i] = (struct trend_point){ .t = (double)i, .value = (double)i * i };
		flat[i] = (struct trend_point){ .t = (double)i, .value = 7 };
	}
	/* S = 45, Var = 10 * 9 * 25 / 18 = 125, z = (45 - 1) / sqrt(125) */
	trend__mann_kendall(up, 10, scratch, &mk);
	assert_true(mk.tau == 1.0);
	assert_true(fabs(mk.z - 44 / sqrt(125)) < 1e-12);

	trend__mann_kendall(flat, 10, scratch, &mk);
	assert_true(mk.tau == 0 && mk.z == 0);

	/* 1 1 2 2 2 3: S = 11, ties 2*1*9 + 3*2*11 = 84, Var = (6*5*17 - 84) / 18 = 23.67 */
	for (i = 0; i < 6; i++) {
		tied[i].t = (double)i;
		tied[i].value = 1 + (i > 1) + (i > 4);
	}
	trend__mann_kendall(tied, 6, scratch, &mk);
	assert_true(fabs(mk.tau - 11.0 / 15) < 1e-12);
	assert_true(fabs(mk.z - 10 / sqrt(426.0 / 18)) < 1e-12);
}

static void test_theil_sen_ignores_outliers(void **state)
{
	struct trend_point p[11];
	double scratch[55];
	double slope;
	size_t i;

	(void)state;
	for (i = 0; i < 11; i++)
		p[i] = (struct trend_point){ .t = 1.7e9 + 2.0 * (double)i,
					     .value = 100 + 3.0 * (double)i };
	p[3].value = 1e9;
	p[8].value = -1e9;
	slope = trend__theil_sen_slope(p, 11, scratch);
	/* 3 per sample, 2 s apart */
	assert_true(slope == 1.5);
	assert_true(trend__theil_sen_level(p, 11, slope, p[0].t, scratch) == 100);
	assert_true(trend__theil_sen_level(p, 11, slope, p[10].t, scratch) == 130);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_quantile_mad),
		cmocka_unit_test(test_selection_on_large_sorted_and_reversed_input),
		cmocka_unit_test(test_mann_kendall_exact_values),
		cmocka_unit_test(test_theil_sen_ignores_outliers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
