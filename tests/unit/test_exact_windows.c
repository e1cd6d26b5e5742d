/* The default mode's window scheduler over synthetic time: when windows open and close, and
 * that the attached share stays within the budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analysis/exact_windows.h"
#include "analysis/window_leaks.h"

#define S 1000000000ull
#define MIB (1024ull * 1024)

static const struct exact_window_opts ten_percent = {
	.budget = 0.10, .window_ns = 2 * S, .growth_bytes = 4 * MIB,
};

/* Ticks every step from start to end with footprint(t); returns the windows opened and
 * checks each lasts the window. */
static unsigned int run(struct exact_windows *w, uint64_t start, uint64_t end, uint64_t step,
			uint64_t bytes_per_s, uint64_t *first_open)
{
	uint64_t opened = 0;
	unsigned int opens = 0;

	for (uint64_t t = start; t <= end; t += step) {
		enum exact_window_action a = exact_windows__tick(w, t, (t / S) * bytes_per_s);

		if (a == WINDOW_OPEN) {
			if (!opens && first_open)
				*first_open = t;
			opened = t;
			opens++;
		} else if (a == WINDOW_CLOSE) {
			assert_true(t - opened >= ten_percent.window_ns * 9 / 10);
			assert_true(t - opened < ten_percent.window_ns + step);
			exact_windows__closed_at(w, (t / S) * bytes_per_s);
		}
	}
	return opens;
}

static void schedule_opens_a_window_every_window_over_budget(void **state)
{
	struct exact_windows w;
	uint64_t first = 0;
	unsigned int opens;

	(void)state;
	exact_windows__init(&w, &ten_percent, 0);
	opens = run(&w, 0, 600 * S, S / 10, 0, &first);
	/* Balance full (2 windows = 4 s) at 40 s, then one per 18 s (windows close at 1.8 s at
	 * ticks of 0.1 s: the balance pays what they took). */
	assert_int_equal(first, 40 * S);
	assert_in_range(opens, 31, 32);
	assert_true(exact_windows__share(&w, 600 * S) <= 0.10 + 4.0 / 600);
	assert_true(exact_windows__share(&w, 600 * S) >= 0.09);
}

static void growth_opens_one_as_soon_as_it_is_paid_for(void **state)
{
	struct exact_windows w;
	uint64_t first = 0;

	(void)state;
	exact_windows__init(&w, &ten_percent, 0);
	run(&w, 0, 120 * S, S / 10, 1 * MIB, &first);   /* 4 MiB grown by 4 s; paid by 20 s */
	assert_int_equal(first, 20 * S);
	assert_true(exact_windows__share(&w, 120 * S) <= 0.10 + 4.0 / 120);
}

static void growth_below_the_trigger_waits_for_the_schedule(void **state)
{
	struct exact_windows w;
	uint64_t first = 0;

	(void)state;
	exact_windows__init(&w, &ten_percent, 0);
	/* 40 KiB/s: 1.6 MiB by 40 s, under 4 MiB. */
	run(&w, 0, 60 * S, S / 10, 40 * 1024, &first);
	assert_int_equal(first, 40 * S);
}

static void zero_budget_never_opens(void **state)
{
	struct exact_window_opts none = ten_percent;
	struct exact_windows w;

	(void)state;
	none.budget = 0;
	exact_windows__init(&w, &none, 0);
	assert_int_equal(run(&w, 0, 600 * S, S, 100 * MIB, NULL), 0);
	assert_true(exact_windows__share(&w, 600 * S) == 0);
}

/* Coarse ticks (a 5 s report interval) overrun the window: the balance pays the overrun. */
static void coarse_ticks_stay_within_budget(void **state)
{
	struct exact_windows w;

	(void)state;
	exact_windows__init(&w, &ten_percent, 0);
	for (uint64_t t = 0; t <= 3600 * S; t += 5 * S)
		if (exact_windows__tick(&w, t, (t / S) * 10 * MIB) == WINDOW_CLOSE)
			exact_windows__closed_at(&w, (t / S) * 10 * MIB);
	assert_true(exact_windows__share(&w, 3600 * S) <= 0.10 + 10.0 / 3600);
	assert_true(exact_windows__share(&w, 3600 * S) >= 0.08);
}

static void a_window_lasts_its_length_and_counts_as_attached(void **state)
{
	struct exact_windows w;

	(void)state;
	exact_windows__init(&w, &ten_percent, 0);
	assert_int_equal(exact_windows__tick(&w, 39 * S, 0), WINDOW_NONE);
	assert_int_equal(exact_windows__tick(&w, 40 * S, 0), WINDOW_OPEN);
	assert_int_equal(exact_windows__tick(&w, 41 * S, 0), WINDOW_NONE);
	assert_true(exact_windows__attached_ns(&w, 41 * S) == 1 * S);
	assert_int_equal(exact_windows__tick(&w, 41 * S + 7 * S / 10, 0), WINDOW_NONE);
	assert_int_equal(exact_windows__tick(&w, 41 * S + 9 * S / 10, 0), WINDOW_CLOSE);
	assert_true(exact_windows__attached_ns(&w, 50 * S) == 19 * S / 10);
	assert_int_equal(w.count, 1);
}

struct found {
	int stack_id[8];
	unsigned int windows[8];
	size_t count;
};

static void on_found(void *ctx, int stack_id, uint64_t grown, uint64_t live, unsigned int n)
{
	struct found *f = ctx;

	(void)grown;
	(void)live;
	if (f->count < 8) {
		f->stack_id[f->count] = stack_id;
		f->windows[f->count++] = n;
	}
}

/* Stack 1 keeps 1 MiB a window; stack 2 churns (nothing survives); stack 3 fills a cache in
 * one window then frees part of it; stack 4 grows, skips a window, grows again. */
static void a_stack_growing_two_windows_running_leaks(void **state)
{
	static const struct window_stack_live w1[] = { { 1, 1 * MIB }, { 2, 0 }, { 3, 8 * MIB },
						       { 4, 1 * MIB } };
	static const struct window_stack_live w2[] = { { 1, 2 * MIB }, { 2, 4096 },
						       { 3, 6 * MIB } };
	static const struct window_stack_live w3[] = { { 1, 3 * MIB }, { 3, 6 * MIB },
						       { 4, 2 * MIB } };
	struct window_leaks w = { 0 };
	struct found f = { 0 };

	(void)state;
	assert_int_equal(window_leaks__close(&w, w1, 4, 256 * 1024, on_found, &f), 0);
	assert_int_equal(f.count, 0);   /* one window is not a trend */
	assert_int_equal(window_leaks__close(&w, w2, 3, 256 * 1024, on_found, &f), 0);
	assert_int_equal(f.count, 1);
	assert_int_equal(f.stack_id[0], 1);
	assert_int_equal(f.windows[0], 2);
	assert_int_equal(window_leaks__close(&w, w3, 3, 256 * 1024, on_found, &f), 0);
	assert_int_equal(f.count, 2);   /* 4 was out of the list in window 2: not running */
	assert_int_equal(f.stack_id[1], 1);
	assert_int_equal(f.windows[1], 3);
	window_leaks__free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(schedule_opens_a_window_every_window_over_budget),
		cmocka_unit_test(growth_opens_one_as_soon_as_it_is_paid_for),
		cmocka_unit_test(growth_below_the_trigger_waits_for_the_schedule),
		cmocka_unit_test(zero_budget_never_opens),
		cmocka_unit_test(coarse_ticks_stay_within_budget),
		cmocka_unit_test(a_window_lasts_its_length_and_counts_as_attached),
		cmocka_unit_test(a_stack_growing_two_windows_running_leaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
