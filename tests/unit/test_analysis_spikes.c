#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analysis/spikes.h"

#define MAX_SPIKES 16

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

/* Push series[0..n) as frames 0..n-1; returns the number of spikes kept in out. */
static size_t run_detector(const struct spike_opts *opts, const double *series, size_t n,
			   struct spike *out)
{
	struct spike_detector *d = spike_detector__new(opts);
	size_t i, found = 0;
	struct spike s;

	assert_non_null(d);
	for (i = 0; i < n; i++) {
		if (spike_detector__push(d, i, series[i], &s)) {
			assert_true(found < MAX_SPIKES);
			out[found++] = s;
		}
	}
	spike_detector__free(d);
	return found;
}

static void fill_noise(double *series, size_t n, double level, double sigma, uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		series[i] = level + sigma * rng_gauss(&seed);
}

static void test_planted_spike_found_at_its_frame(void **state)
{
	struct spike spikes[MAX_SPIKES];
	double series[100];

	(void)state;
	fill_noise(series, 100, 1e6, 1e4, 42);
	series[60] = 3e6;

	assert_int_equal(run_detector(NULL, series, 100, spikes), 1);
	assert_int_equal(spikes[0].seq, 60);
	assert_true(spikes[0].value == 3e6);
	assert_true(fabs(spikes[0].baseline - 1e6) < 1e4);
	assert_true(fabs(spikes[0].ratio - 3.0) < 0.05);
	/* 1% noise has a MAD under the 5%-of-median floor: 2e6 / 5e4 = 40 MADs */
	assert_true(fabs(spikes[0].mads - 40) < 1);
	assert_true(spikes[0].over_norm);
	assert_false(spikes[0].over_limit);
}

static void test_adjacent_spikes_both_found(void **state)
{
	struct spike spikes[MAX_SPIKES];
	double series[100];

	(void)state;
	fill_noise(series, 100, 1e6, 1e4, 7);
	series[40] = 2e6;
	series[41] = 2.5e6;
	series[44] = 1.8e6;

	assert_int_equal(run_detector(NULL, series, 100, spikes), 3);
	assert_int_equal(spikes[0].seq, 40);
	assert_int_equal(spikes[1].seq, 41);
	assert_int_equal(spikes[2].seq, 44);
	/* earlier spikes in the window leave the baseline where it was */
	assert_true(fabs(spikes[2].baseline - 1e6) < 1e4);
}

static void test_noise_has_no_spike(void **state)
{
	struct spike spikes[MAX_SPIKES];
	double series[2000];

	(void)state;
	fill_noise(series, 2000, 1e6, 5e4, 1234);
	assert_int_equal(run_detector(NULL, series, 2000, spikes), 0);
}

static void test_flat_series_bump_flagged_wiggle_not(void **state)
{
	struct spike spikes[MAX_SPIKES];
	double series[40];
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++)
		series[i] = 4096;
	series[10] = 4096 + 100;	/* 2.4%: under the 5% MAD floor times k */
	series[25] = 8192;

	assert_int_equal(run_detector(NULL, series, 40, spikes), 1);
	assert_int_equal(spikes[0].seq, 25);
	assert_true(spikes[0].baseline == 4096);
	assert_true(spikes[0].ratio == 2.0);
	/* MAD 0 is floored at 5% of the median */
	assert_true(fabs(spikes[0].mads - 4096 / (0.05 * 4096)) < 1e-9);
}

static void test_nothing_flagged_before_min_samples(void **state)
{
	struct spike spikes[MAX_SPIKES];
	double series[] = { 100, 100, 100, 100, 1e9, 100, 100 };

	(void)state;
	/* the 1e9 is sample 5 of min_samples 5: only four came before it */
	assert_int_equal(run_detector(NULL, series, 7, spikes), 0);
}

static void test_absolute_threshold_flags_regardless(void **state)
{
	struct spike_opts opts = { .spike_bytes = 1 << 20 };
	double series[] = { 1 << 21, 100, 100, 100, 100, 100, 100, 1 << 20, 1000 };
	struct spike spikes[MAX_SPIKES];

	(void)state;
	assert_int_equal(run_detector(&opts, series, 9, spikes), 3);
	assert_int_equal(spikes[0].seq, 0);
	assert_true(spikes[0].over_limit && !spikes[0].over_norm);
	assert_true(spikes[0].baseline == 0 && spikes[0].ratio == 0);
	assert_int_equal(spikes[1].seq, 7);
	assert_true(spikes[1].over_limit && spikes[1].over_norm);
	/* 1000 is 9x the median 100 but under the limit: the norm rule alone */
	assert_int_equal(spikes[2].seq, 8);
	assert_true(!spikes[2].over_limit && spikes[2].over_norm);
}

static void test_window_forgets_old_regime(void **state)
{
	struct spike_opts opts = { .window = 10 };
	struct spike spikes[MAX_SPIKES];
	double series[40];
	size_t i;

	(void)state;
	/* a level shift is flagged once, then becomes the norm */
	for (i = 0; i < 40; i++)
		series[i] = i < 20 ? 1000 : 5000;
	assert_int_equal(run_detector(&opts, series, 40, spikes), 5);
	assert_int_equal(spikes[0].seq, 20);
	assert_int_equal(spikes[4].seq, 24);
}

static void test_bad_opts_rejected(void **state)
{
	struct spike_opts opts = { .window = 4, .min_samples = 5 };

	(void)state;
	errno = 0;
	assert_null(spike_detector__new(&opts));
	assert_int_equal(errno, EINVAL);
}

static void test_non_finite_sample_ignored(void **state)
{
	struct spike_detector *d = spike_detector__new(NULL);
	uint64_t i;

	(void)state;
	assert_non_null(d);
	for (i = 0; i < 10; i++)
		assert_false(spike_detector__push(d, i, 100, NULL));
	assert_false(spike_detector__push(d, 10, NAN, NULL));
	assert_false(spike_detector__push(d, 11, INFINITY, NULL));
	assert_true(spike_detector__push(d, 12, 1000, NULL));
	spike_detector__free(d);
}

/*
 * Stationary Gaussian series of random level and noise: the share of samples
 * flagged is the detector's false-positive rate.
 */
static void test_false_positive_rate_on_stationary_series(void **state)
{
	enum { SERIES = 400, LEN = 500 };
	static double series[LEN];
	struct spike_detector *d;
	size_t flagged = 0, i, j;
	uint64_t seed = 0x5eed;

	(void)state;
	for (i = 0; i < SERIES; i++) {
		double level = pow(10, 3 + 5 * rng_uniform(&seed));
		double sigma = level * (0.001 + 0.3 * rng_uniform(&seed));

		fill_noise(series, LEN, level, sigma, rng_next(&seed));
		d = spike_detector__new(NULL);
		assert_non_null(d);
		for (j = 0; j < LEN; j++)
			flagged += spike_detector__push(d, j, series[j], NULL);
		spike_detector__free(d);
	}
	print_message("spike false positives: %zu of %d samples\n", flagged, SERIES * LEN);
	assert_true(flagged < SERIES * LEN * 0.005);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted_spike_found_at_its_frame),
		cmocka_unit_test(test_adjacent_spikes_both_found),
		cmocka_unit_test(test_noise_has_no_spike),
		cmocka_unit_test(test_flat_series_bump_flagged_wiggle_not),
		cmocka_unit_test(test_nothing_flagged_before_min_samples),
		cmocka_unit_test(test_absolute_threshold_flags_regardless),
		cmocka_unit_test(test_window_forgets_old_regime),
		cmocka_unit_test(test_bad_opts_rejected),
		cmocka_unit_test(test_non_finite_sample_ignored),
		cmocka_unit_test(test_false_positive_rate_on_stationary_series),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
