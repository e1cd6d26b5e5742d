/* The forecast over synthetic series whose time to the limit is known. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "analysis/forecast.h"

#define N 30

static double scratch[4096];

/* Deterministic noise in [-1, 1]. */
static double noise(unsigned int *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return ((*seed >> 8) % 2001) / 1000.0 - 1;
}

/* 100 MiB + 1 MiB/s with +-256 KiB of noise, limit 512 MiB: at t = 29 s, 383 s to go. */
static void test_linear_growth_eta_in_band(void **state)
{
	const double mib = 1 << 20, limit = 512 * mib;
	struct trend_point p[N];
	struct forecast f;
	unsigned int seed = 7;
	double truth;

	(void)state;
	assert_true(trend__scratch_len(N) <= sizeof(scratch) / sizeof(scratch[0]));
	for (int i = 0; i < N; i++)
		p[i] = (struct trend_point){ i, 100 * mib + i * mib + 0.25 * mib * noise(&seed) };
	truth = (limit - (100 * mib + 29 * mib)) / mib;
	forecast__eta(p, N, limit, scratch, &f);
	assert_true(f.known);
	assert_true(f.eta_low_s <= truth && truth <= f.eta_high_s);
	assert_true(fabs(f.eta_s - truth) < 0.05 * truth);
	assert_true(f.slope_low <= f.slope && f.slope <= f.slope_high);
	/* a band, not a point, yet not so wide that it says nothing */
	assert_true(f.eta_high_s - f.eta_low_s > 0 && f.eta_high_s - f.eta_low_s < 0.3 * truth);
}

/* The band is a 95% one: over 400 noisy series of the same line, the truth falls in it at
 * least 90% of the time (and it is not so wide that it always does: under 100%, or narrow). */
static void test_band_coverage(void **state)
{
	const double mib = 1 << 20, limit = 512 * mib, truth = (512.0 - 129) / 1;
	unsigned int seed = 11;
	int inside = 0, runs = 400;
	double width = 0;

	(void)state;
	for (int r = 0; r < runs; r++) {
		struct trend_point p[N];
		struct forecast f;

		for (int i = 0; i < N; i++)
			p[i] = (struct trend_point){ i, 100 * mib + i * mib + 2 * mib * noise(&seed) };
		forecast__eta(p, N, limit, scratch, &f);
		assert_true(f.known);
		inside += f.eta_low_s <= truth && truth <= f.eta_high_s;
		width += (f.eta_high_s - f.eta_low_s) / truth / runs;
	}
	print_message("truth in band %d of %d, mean width %.2f of the ETA\n", inside, runs, width);
	assert_true(inside >= runs * 0.9);
	assert_true(width < 0.5);
}

/* Exact growth: the band closes on the truth. */
static void test_exact_growth(void **state)
{
	struct trend_point p[10];
	struct forecast f;

	(void)state;
	for (int i = 0; i < 10; i++)
		p[i] = (struct trend_point){ 2.0 * i, 1000 + 20.0 * i };   /* 10 per s */
	forecast__eta(p, 10, 2000, scratch, &f);
	assert_true(f.known);
	assert_true(fabs(f.eta_s - 82) < 1e-9);    /* (2000 - 1180) / 10 */
	assert_true(fabs(f.eta_low_s - 82) < 1e-9 && fabs(f.eta_high_s - 82) < 1e-9);
}

static void test_no_forecast(void **state)
{
	struct trend_point flat[N], falling[N], few[4], over[N];
	unsigned int seed = 3;
	struct forecast f;

	(void)state;
	for (int i = 0; i < N; i++) {
		flat[i] = (struct trend_point){ i, 1000 + 5 * noise(&seed) };
		falling[i] = (struct trend_point){ i, 1000 - 3.0 * i };
		over[i] = (struct trend_point){ i, 3000 + 10.0 * i };
	}
	for (int i = 0; i < 4; i++)
		few[i] = (struct trend_point){ i, 100.0 * i };
	forecast__eta(flat, N, 2000, scratch, &f);
	assert_false(f.known);
	forecast__eta(falling, N, 2000, scratch, &f);
	assert_false(f.known);
	forecast__eta(few, 4, 2000, scratch, &f);
	assert_false(f.known);
	forecast__eta(over, N, 2000, scratch, &f);   /* over already: the budget's business */
	assert_false(f.known);
}

/* The watch fires once, when the ETA goes under the horizon; a new limit re-arms it. */
static void test_watch_horizon(void **state)
{
	struct forecast_watch w;
	int fired[4], count = 0;

	(void)state;
	forecast_watch__init(&w, "cgroup", false);
	/* 10 per s from 0 towards 2000: 200 - t s to go, under the 100 s horizon after t = 100 */
	for (int t = 0; t <= 190; t++) {
		double limit = t <= 120 ? 2000 : 2600;   /* raised at 121 s: 260 - t s to go */

		if (forecast_watch__feed(&w, t, 10.0 * t, limit, 100, scratch) && count < 4)
			fired[count++] = t;
	}
	assert_int_equal(count, 2);
	assert_int_equal(fired[0], 101);
	assert_int_equal(fired[1], 161);
	assert_true(w.last.known && fabs(w.last.eta_s - 70) < 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_growth_eta_in_band),
		cmocka_unit_test(test_band_coverage),
		cmocka_unit_test(test_exact_growth),
		cmocka_unit_test(test_no_forecast),
		cmocka_unit_test(test_watch_horizon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
