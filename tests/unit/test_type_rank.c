/* type_history__rank: the types whose live count changed most since the previous report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "output/type_rank.h"

static void set_type(struct python_type_report *t, const char *name, uint64_t live)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->has_live = true;
	t->live = live;
}

static void test_ranks_by_change_either_way(void **state)
{
	struct python_type_report types[3];
	struct python_report py = { .types = types, .type_count = 3 };
	struct type_history *h = type_history__new();
	size_t order[3];
	int64_t change[3];

	(void)state;
	set_type(&types[0], "dict", 5000);
	set_type(&types[1], "list", 300);
	set_type(&types[2], "Widget", 100);
	assert_int_equal(type_history__rank(h, 7, &py, order, change), 0);   /* the baseline */
	set_type(&types[0], "dict", 5010);
	set_type(&types[1], "Leaky", 900);     /* new: changed from 0 */
	set_type(&types[2], "list", 100);      /* fell by 200; Widget is gone */
	assert_int_equal(type_history__rank(h, 7, &py, order, change), 1);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 0);
	assert_int_equal(change[0], 10);
	assert_int_equal(change[1], 900);
	assert_int_equal(change[2], -200);
	type_history__forget(h, 7);
	assert_int_equal(type_history__rank(h, 7, &py, order, change), 0);   /* afresh */
	type_history__free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranks_by_change_either_way),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
