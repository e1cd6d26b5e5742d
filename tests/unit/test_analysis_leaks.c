#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analysis/leaks.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)
#define MAX_POINTS 1000

/* xorshift64*: a fixed seed keeps every run identical */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static double rng_uniform(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static double rng_gauss(uint64_t *s)
{
	double u1 = 1.0 - rng_uniform(s), u2 = rng_uniform(s);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * acos(-1.0) * u2);
}

/* level + slope * t + Gaussian noise, sampled every dt seconds from t = 1000 */
static void make_linear(struct trend_point *p, size_t n, double dt, double level, double slope,
			double sigma, uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double t = (double)i * dt;

		p[i].t = 1000 + t;
		p[i].value = level + slope * t + sigma * rng_gauss(&seed);
	}
}

static struct leak_result analyze(const struct trend_point *p, size_t n,
				  const struct leak_opts *opts)
{
	struct leak_result res;

	assert_int_equal(leak__analyze(p, n, opts, &res), 0);
	return res;
}

static void test_linear_growth_is_critical_leak(void **state)
{
	static struct trend_point p[MAX_POINTS];
	struct leak_result res;

	(void)state;
	/* 2 MiB/s = 7 GiB/h */
	make_linear(p, 300, 1, 64 * MIB, 2 * MIB, 1 * MIB, 1);
	res = analyze(p, 300, NULL);
	assert_true(res.is_leak);
	assert_int_equal(res.verdict, LEAK_VERDICT_LEAK);
	assert_int_equal(res.severity, LEAK_SEVERITY_CRITICAL);
	assert_true(fabs(res.growth_per_s - 2 * MIB) < 0.01 * MIB);
	assert_true(res.tau > 0.95 && res.z > 20);
	assert_int_equal(res.samples, 300);
	assert_true(res.first == p[0].value && res.last == p[299].value);
}

static void test_slow_growth_one_pct_per_min_is_medium_leak(void **state)
{
	static struct trend_point p[MAX_POINTS];
	struct leak_result res;

	(void)state;
	/* 100 MiB growing 1 MiB/min for 10 min, 1 s samples, noise 0.5 MiB */
	make_linear(p, 600, 1, 100 * MIB, MIB / 60, 0.5 * MIB, 2);
	res = analyze(p, 600, NULL);
	assert_true(res.is_leak);
	/* 60 MiB/h: the medium tier */
	assert_int_equal(res.severity, LEAK_SEVERITY_MEDIUM);
	assert_true(fabs(res.growth_per_s - MIB / 60) < 0.03 * MIB / 60);
}

static void test_slow_growth_sparse_samples_is_leak(void **state)
{
	static struct trend_point p[MAX_POINTS];
	struct leak_result res;

	(void)state;
	/* the same leak seen through 20 samples 30 s apart */
	make_linear(p, 20, 30, 100 * MIB, MIB / 60, 0.5 * MIB, 3);
	res = analyze(p, 20, NULL);
	assert_true(res.is_leak);
	assert_int_equal(res.severity, LEAK_SEVERITY_MEDIUM);
}

static void test_object_count_with_ties_is_leak(void **state)
{
	static struct trend_point p[MAX_POINTS];
	struct leak_opts opts = { .thresholds = &leak_thresholds_objects };
	struct leak_result res;
	size_t i;

	(void)state;
	/* 5000 dicts, one more every 2 s, counts rounded: many ties */
	make_linear(p, 600, 1, 5000, 0.5, 3, 4);
	for (i = 0; i < 600; i++)
		p[i].value = round(p[i].value);
	res = analyze(p, 600, &opts);
	assert_true(res.is_leak);
	/* 1800/h: low, however many dicts there were before */
	assert_int_equal(res.severity, LEAK_SEVERITY_LOW);
	assert_true(fabs(res.growth_per_s - 0.5) < 0.02);
}

static void test_noise_around_constant_is_not_leak(void **state)
{
	static struct trend_point p[MAX_POINTS];
	struct leak_result res;

	(void)state;
	make_linear(p, 600, 1, 100 * MIB, 0, 5 * MIB, 5);
	res = analyze(p, 600, NULL);
	assert_false(res.is_leak);
	assert_int_equal(res.verdict, LEAK_VERDICT_NO_TREND);
	assert_int_equal(res.severity, LEAK_SEVERITY_NONE);
}

/* A 50 MiB cache filled over period seconds then cleared, on a 100 MiB base. */
static void make_sawtooth(struct trend_point *p, size_t n, double period, double phase,
			  uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i].t = (double)i;
		p[i].value = 100 * MIB + 50 * MIB * fmod((double)i + phase, period) / period +
			     0.2 * MIB * rng_gauss(&seed);
	}
}

static void test_sawtooth_is_not_leak(void **state)
{
	static struct trend_point p[MAX_POINTS];
	struct leak_result res;
	uint64_t seed = 6;
	int i;

	(void)state;
	/* few long teeth: each is a strong trend, but the series falls back */
	make_sawtooth(p, 600, 250, 0, 7);
	res = analyze(p, 600, NULL);
	assert_false(res.is_leak);
	assert_int_equal(res.verdict, LEAK_VERDICT_NOT_STEADY);

	/* any period from 20 s to half the window, any phase */
	for (i = 0; i < 200; i++) {
		double period = 20 + 280 * rng_uniform(&seed);

		make_sawtooth(p, 600, period, period * rng_uniform(&seed), rng_next(&seed));
		assert_false(analyze(p, 600, NULL).is_leak);
	}
}

/* Fills 200 MiB with time constant tau, then holds. */
static void make_warm_up(struct trend_point *p, size_t n, double tau, double sigma,
			 uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i].t = (double)i;
		p[i].value = 200 * MIB * (1 - exp(-(double)i / tau)) + sigma * rng_gauss(&seed);
	}
}

static void test_warm_up_plateau_is_not_leak(void **state)
{
	static struct trend_point p[MAX_POINTS];
	struct leak_result res;
	uint64_t seed = 8;
	int i;

	(void)state;
	make_warm_up(p, 600, 30, 0.5 * MIB, 9);
	res = analyze(p, 600, NULL);
	assert_false(res.is_leak);
	assert_int_equal(res.verdict, LEAK_VERDICT_GROWTH_STOPPED);
	/* the whole window does trend: only its recent half tells */
	assert_true(res.z > 3);

	/* warm-ups up to a sixth of the window (tau 100 s), noise 0.01-2 MiB */
	for (i = 0; i < 200; i++) {
		double tau = 10 + 90 * rng_uniform(&seed);
		double sigma = (0.01 + 2 * rng_uniform(&seed)) * MIB;

		make_warm_up(p, 600, tau, sigma, rng_next(&seed));
		assert_false(analyze(p, 600, NULL).is_leak);
	}
}

static void test_leak_starting_mid_window_is_leak(void **state)
{
	static struct trend_point p[MAX_POINTS];
	struct leak_result res;
	size_t i;

	(void)state;
	/* flat for 200 s, then 6 MiB/min */
	make_linear(p, 600, 1, 100 * MIB, 0, 0.5 * MIB, 12);
	for (i = 200; i < 600; i++)
		p[i].value += (double)(i - 200) * MIB / 10;
	res = analyze(p, 600, NULL);
	assert_true(res.is_leak);
	assert_int_equal(res.severity, LEAK_SEVERITY_HIGH);
}

static void test_growth_too_small_is_not_leak(void **state)
{
	static struct trend_point p[MAX_POINTS];
	struct leak_result res;

	(void)state;
	/* 2% over the window: steady but under the 5% minimum */
	make_linear(p, 600, 1, 100 * MIB, 2 * MIB / 600, 0.05 * MIB, 9);
	res = analyze(p, 600, NULL);
	assert_false(res.is_leak);
	assert_int_equal(res.verdict, LEAK_VERDICT_GROWTH_TOO_SMALL);
}

static void test_only_last_max_samples_analysed(void **state)
{
	static struct trend_point p[MAX_POINTS];
	struct leak_opts all = { .max_samples = 1000 };
	struct leak_result res;
	size_t i;

	(void)state;
	/* a steady leak, with a 500 MiB cache freed at sample 300 */
	make_linear(p, 1000, 1, 100 * MIB, MIB / 6, 0.5 * MIB, 10);
	for (i = 0; i < 300; i++)
		p[i].value += 500 * MIB;
	res = analyze(p, 1000, &all);
	assert_false(res.is_leak);
	assert_int_equal(res.verdict, LEAK_VERDICT_NOT_STEADY);

	/* the default window, the last 600 samples, no longer sees the drop */
	res = analyze(p, 1000, NULL);
	assert_true(res.is_leak);
	assert_int_equal(res.samples, 600);
	assert_true(res.first == p[400].value);
}

static void test_too_few_samples_and_bad_input(void **state)
{
	struct trend_point p[11];
	struct leak_result res;

	(void)state;
	make_linear(p, 11, 1, 0, MIB, 0, 11);
	res = analyze(p, 11, NULL);
	assert_false(res.is_leak);
	assert_int_equal(res.verdict, LEAK_VERDICT_TOO_FEW_SAMPLES);

	p[5].t = p[4].t;
	assert_int_equal(leak__analyze(p, 11, NULL, &res), -EINVAL);
	p[5].t = p[4].t + 1;
	p[6].value = NAN;
	assert_int_equal(leak__analyze(p, 11, NULL, &res), -EINVAL);
	assert_int_equal(leak__analyze(NULL, 3, NULL, &res), -EINVAL);
}

static void test_severity_boundaries(void **state)
{
	const struct leak_thresholds *b = &leak_thresholds_bytes;
	const struct leak_thresholds *o = &leak_thresholds_objects;

	(void)state;
	assert_int_equal(leak_severity_classify(b, 0), LEAK_SEVERITY_NONE);
	assert_int_equal(leak_severity_classify(b, -1), LEAK_SEVERITY_NONE);
	assert_int_equal(leak_severity_classify(b, 1), LEAK_SEVERITY_LOW);
	/* tiers start at 10 MiB/h, 100 MiB/h, 1 GiB/h, inclusive */
	assert_int_equal(leak_severity_classify(b, 10 * MIB / 3600 * 0.999), LEAK_SEVERITY_LOW);
	assert_int_equal(leak_severity_classify(b, 10 * MIB / 3600), LEAK_SEVERITY_MEDIUM);
	assert_int_equal(leak_severity_classify(b, 100 * MIB / 3600 * 0.999), LEAK_SEVERITY_MEDIUM);
	assert_int_equal(leak_severity_classify(b, 100 * MIB / 3600), LEAK_SEVERITY_HIGH);
	assert_int_equal(leak_severity_classify(b, GIB / 3600 * 0.999), LEAK_SEVERITY_HIGH);
	assert_int_equal(leak_severity_classify(b, GIB / 3600), LEAK_SEVERITY_CRITICAL);

	/* objects: 10k/h, 100k/h, 1M/h */
	assert_int_equal(leak_severity_classify(o, 10000.0 / 3600), LEAK_SEVERITY_MEDIUM);
	assert_int_equal(leak_severity_classify(o, 9999.0 / 3600), LEAK_SEVERITY_LOW);
	assert_int_equal(leak_severity_classify(o, 100000.0 / 3600), LEAK_SEVERITY_HIGH);
	assert_int_equal(leak_severity_classify(o, 1e6 / 3600), LEAK_SEVERITY_CRITICAL);

	/* objects rank by their bytes too: 1 a second is low by count; of 4 KiB each it is
	 * 14 MiB/h, medium; of unknown size it stays low */
	assert_int_equal(leak_severity_of_objects(1, 4096), LEAK_SEVERITY_MEDIUM);
	assert_int_equal(leak_severity_of_objects(1, 64), LEAK_SEVERITY_LOW);
	assert_int_equal(leak_severity_of_objects(1, 0), LEAK_SEVERITY_LOW);
	assert_int_equal(leak_severity_of_objects(300, 64), LEAK_SEVERITY_CRITICAL);
}

/* One steady leak, 4 KiB/s (14 MiB/h: medium), seen through 0.5 s samples after 10 s and
 * after 1000 s of uptime over a base of 512 KiB: the level is 0.55 MiB at the first look and
 * 4.5 MiB at the second (5%/min of it: a rule on the share of the level ranked it high then,
 * and not before), the severity the same. */
static void test_severity_does_not_depend_on_uptime(void **state)
{
	static struct trend_point p[MAX_POINTS];
	const double base = 0.5 * MIB, rate = 4096;
	struct leak_opts bytes = { .max_samples = 300 };
	struct leak_opts objects = { .max_samples = 300,
				     .thresholds = &leak_thresholds_objects, .unit_bytes = 2048 };
	struct leak_result early, late;
	size_t n = 2000;

	(void)state;
	make_linear(p, n, 0.5, base, rate, 1024, 11);
	early = analyze(p, 20, &bytes);		/* after 10 s: the first 20 samples */
	late = analyze(p, n, &bytes);		/* after 1000 s: the last 300 of 2000 */
	assert_true(early.is_leak && late.is_leak);
	assert_true(late.last > 8 * early.last);
	assert_int_equal(early.severity, LEAK_SEVERITY_MEDIUM);
	assert_int_equal(late.severity, LEAK_SEVERITY_MEDIUM);

	/* a type: 2 objects a second of 2 KiB each over 30 (7200/h is low by count, 14 MiB/h
	 * medium by bytes), 50 objects at the first look, 2030 at the second */
	make_linear(p, n, 0.5, 30, 2, 0.5, 12);
	early = analyze(p, 20, &objects);
	late = analyze(p, n, &objects);
	assert_true(early.is_leak && late.is_leak);
	assert_int_equal(early.severity, LEAK_SEVERITY_MEDIUM);
	assert_int_equal(late.severity, LEAK_SEVERITY_MEDIUM);

	/* 50x faster (703 MiB/h): high, early and late alike */
	make_linear(p, n, 0.5, base, 50 * rate, 1024, 13);
	early = analyze(p, 20, &bytes);
	late = analyze(p, n, &bytes);
	assert_int_equal(early.severity, LEAK_SEVERITY_HIGH);
	assert_int_equal(late.severity, LEAK_SEVERITY_HIGH);
}

static void test_severity_names_round_trip(void **state)
{
	enum leak_severity s = LEAK_SEVERITY_NONE;

	(void)state;
	for (s = LEAK_SEVERITY_LOW; s <= LEAK_SEVERITY_CRITICAL; s++) {
		enum leak_severity parsed = LEAK_SEVERITY_NONE;

		assert_true(leak_severity_parse(leak_severity_name(s), &parsed));
		assert_int_equal(parsed, s);
	}
	assert_true(leak_severity_parse("MEDIUM", &s));
	assert_int_equal(s, LEAK_SEVERITY_MEDIUM);
	assert_string_equal(leak_severity_name(LEAK_SEVERITY_NONE), "none");
	assert_false(leak_severity_parse("none", &s));
	assert_false(leak_severity_parse("", &s));
	assert_false(leak_severity_parse("med", &s));
	assert_false(leak_severity_parse(NULL, &s));
	assert_string_equal(leak_verdict_name(LEAK_VERDICT_NOT_STEADY), "growth not steady");
}

/*
 * Stationary series (Gaussian around a level, rounded counts, AR(1) noise)
 * of random length: the share flagged is the false-positive rate.
 */
static void test_false_positive_rate_on_stationary_series(void **state)
{
	enum { SERIES = 2000 };
	static struct trend_point p[MAX_POINTS];
	size_t flagged = 0, i, j;
	uint64_t seed = 0xfeed;

	(void)state;
	for (i = 0; i < SERIES; i++) {
		size_t n = 12 + rng_next(&seed) % 400;
		double level = pow(10, 2 + 7 * rng_uniform(&seed));
		double sigma = level * (0.001 + 0.2 * rng_uniform(&seed));
		double ar = i % 3 == 2 ? 0.5 : 0, noise = 0;
		struct leak_result res;

		for (j = 0; j < n; j++) {
			noise = ar * noise + sigma * rng_gauss(&seed);
			p[j].t = (double)j;
			p[j].value = level + noise;
			if (i % 3 == 1)
				p[j].value = round(p[j].value);
		}
		res = analyze(p, n, NULL);
		flagged += res.is_leak;
	}
	print_message("leak false positives: %zu of %d series\n", flagged, SERIES);
	assert_true(flagged < SERIES * 0.01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_growth_is_critical_leak),
		cmocka_unit_test(test_slow_growth_one_pct_per_min_is_medium_leak),
		cmocka_unit_test(test_severity_does_not_depend_on_uptime),
		cmocka_unit_test(test_slow_growth_sparse_samples_is_leak),
		cmocka_unit_test(test_object_count_with_ties_is_leak),
		cmocka_unit_test(test_noise_around_constant_is_not_leak),
		cmocka_unit_test(test_sawtooth_is_not_leak),
		cmocka_unit_test(test_warm_up_plateau_is_not_leak),
		cmocka_unit_test(test_leak_starting_mid_window_is_leak),
		cmocka_unit_test(test_growth_too_small_is_not_leak),
		cmocka_unit_test(test_only_last_max_samples_analysed),
		cmocka_unit_test(test_too_few_samples_and_bad_input),
		cmocka_unit_test(test_severity_boundaries),
		cmocka_unit_test(test_severity_names_round_trip),
		cmocka_unit_test(test_false_positive_rate_on_stationary_series),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
