/* The outstanding map's levels: their sizes up to --max-entries, and when the next is due;
 * and the live figures of a report before and after drops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/report.h"
#include "probes/alloc/outstanding_growth.h"

/* Levels until no more come: their sizes, and their sum. */
static unsigned int levels_for(uint32_t max_entries, uint32_t *sizes, uint64_t *capacity)
{
	unsigned int n = 0;
	uint32_t size;

	*capacity = 0;
	while ((size = outstanding_growth__next_size(*capacity, n ? sizes[n - 1] : 0,
						     max_entries))) {
		sizes[n++] = size;
		*capacity += size;
	}
	return n;
}

static void levels_double_up_to_the_default_cap(void **state)
{
	static const uint32_t want[] = { 262144, 524288, 1048576, 2097152, 4194304, 262144 };
	uint32_t sizes[OUTSTANDING_MAX_LEVELS];
	uint64_t capacity;
	unsigned int n = levels_for(8388608, sizes, &capacity);

	(void)state;
	assert_int_equal(n, 6);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(sizes[i], want[i]);
	assert_int_equal(capacity, 8388608);
}

static void levels_fit_any_max_entries(void **state)
{
	uint32_t sizes[OUTSTANDING_MAX_LEVELS];
	uint64_t capacity;

	(void)state;
	assert_int_equal(levels_for(1024, sizes, &capacity), 1);   /* the smallest --max-entries */
	assert_int_equal(sizes[0], 1024);
	assert_int_equal(capacity, 1024);
	/* The largest: within OUTSTANDING_MAX_LEVELS levels. */
	assert_true(levels_for(1u << 26, sizes, &capacity) <= OUTSTANDING_MAX_LEVELS);
	assert_int_equal(capacity, 1u << 26);
	assert_int_equal(levels_for(300000, sizes, &capacity), 2);
	assert_int_equal(sizes[1], 300000 - 262144);
}

static void growth_is_due_at_half_the_newest_level(void **state)
{
	(void)state;
	assert_false(outstanding_growth__due(131071, 262144, 262144));
	assert_true(outstanding_growth__due(131072, 262144, 262144));
	/* 256k + 512k: due when 256k of the 512k level would be used. */
	assert_false(outstanding_growth__due(524287, 786432, 524288));
	assert_true(outstanding_growth__due(524288, 786432, 524288));
	/* An unreadable count (-1) never adds a level. */
	assert_false(outstanding_growth__due(-1, 1024, 1024));
}

static void live_figures_are_bounded_after_drops(void **state)
{
	/* 100 allocations of 10 bytes, 40 dropped; 30 tracked and 20 untracked frees. */
	struct native_totals n = {
		.allocs = 100, .bytes_allocated = 1000, .dropped = 40, .bytes_dropped = 400,
		.frees = 30, .bytes_freed = 300, .frees_dropped_or_untracked = 20,
	};

	(void)state;
	assert_true(native_live_approximate(&n));
	assert_int_equal(native_live_allocs(&n), 30);       /* tracked: 60 kept - 30 freed */
	assert_int_equal(native_live_bytes(&n), 300);
	assert_int_equal(native_live_allocs_max(&n), 70);   /* as if no dropped block was freed */
	assert_int_equal(native_live_bytes_max(&n), 700);
	assert_true(native_stacks_partial(&n));
	n.dropped = n.bytes_dropped = 0;
	n.allocs = 60;
	n.bytes_allocated = 600;
	assert_false(native_live_approximate(&n));
	assert_int_equal(native_live_allocs(&n), native_live_allocs_max(&n));
	assert_false(native_stacks_partial(&n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(levels_double_up_to_the_default_cap),
		cmocka_unit_test(levels_fit_any_max_entries),
		cmocka_unit_test(growth_is_due_at_half_the_newest_level),
		cmocka_unit_test(live_figures_are_bounded_after_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
