/* model/gpu_report.h: which layer's bytes are "live", fragmentation, and the sums the
 * gpu budgets read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/gpu_report.h"

static struct gpu_device_report devices[] = {
	{ .device = 0, .reserved_bytes = 6000, .peak_reserved_bytes = 8000, .allocated_bytes = 5000,
	  .peak_allocated_bytes = 7000 },
	{ .device = 2, .reserved_bytes = 100, .peak_reserved_bytes = 100, .allocated_bytes = 300,
	  .peak_allocated_bytes = 300 },
};

static void live_bytes_are_held_bytes_without_a_caching_allocator(void **state)
{
	struct gpu_report g = { .runtime = true, .device_count = 2, .devices = devices };

	(void)state;
	assert_int_equal(gpu_live_bytes(&g, &devices[0]), 6000);
	assert_int_equal(gpu_peak_live_bytes(&g, &devices[0]), 8000);
	assert_int_equal(gpu_fragmentation_bytes(&g, &devices[0]), 0);
	assert_int_equal(gpu_report__live_bytes(&g, -1), 6100);
	assert_int_equal(gpu_report__live_bytes(&g, 2), 100);
}

static void live_bytes_are_the_tensors_with_one(void **state)
{
	struct gpu_report g = { .runtime = true, .caching = true, .device_count = 2,
				.devices = devices };

	(void)state;
	assert_int_equal(gpu_live_bytes(&g, &devices[0]), 5000);
	assert_int_equal(gpu_peak_live_bytes(&g, &devices[0]), 7000);
	assert_int_equal(gpu_fragmentation_bytes(&g, &devices[0]), 1000);
	/* Blocks of segments reserved before attach: more allocated than seen reserved. */
	assert_int_equal(gpu_fragmentation_bytes(&g, &devices[1]), 0);
	assert_int_equal(gpu_report__live_bytes(&g, -1), 5300);
	assert_int_equal(gpu_report__live_bytes(&g, 0), 5000);
	assert_int_equal(gpu_report__live_bytes(&g, 1), 0);     /* a device with no figures */
	assert_int_equal(gpu_report__live_bytes(NULL, -1), 0);  /* no CUDA library probed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_bytes_are_held_bytes_without_a_caching_allocator),
		cmocka_unit_test(live_bytes_are_the_tensors_with_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
