/* Per-container totals (model/group_report.c): processes summed by the container their cgroup
 * names, else by their cgroup; a sum that some process lacks stays unknown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "model/group_report.h"
#include "model/report.h"
#include "target/sysctx.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct proc {
	struct process_report r;
	struct system_context sys;
	struct python_report py;
};

static void make(struct proc *p, const char *cgroup, uint64_t rss, uint64_t live)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->sys.cgroup, sizeof(p->sys.cgroup), "%s", cgroup);
	p->r.system = &p->sys;
	p->r.rss_bytes = rss;
	p->r.mmap.mmaps = 3;
	p->r.native_traced = live != 0;
	p->r.native.allocs = live ? 2 : 0;
	p->r.native.bytes_allocated = live;
}

static void sums_a_container_across_its_cgroups(void **state)
{
	struct group_totals t = { 0 };
	struct proc a, b, c;

	(void)state;
	make(&a, "/system.slice/docker-" ID ".scope", 1000, 100);
	make(&b, "/system.slice/docker-" ID ".scope/worker", 2000, 200);
	make(&c, "/user.slice", 4000, 400);
	a.sys.cgroup_known = b.sys.cgroup_known = true;
	a.sys.cgroup_current = b.sys.cgroup_current = 5000;
	a.sys.cgroup_max_known = b.sys.cgroup_max_known = true;
	a.sys.cgroup_max = b.sys.cgroup_max = 8000;
	assert_int_equal(group_totals__add(&t, &a.r), 0);
	assert_int_equal(group_totals__add(&t, &c.r), 0);
	assert_int_equal(group_totals__add(&t, &b.r), 0);
	assert_int_equal(t.count, 2);
	assert_string_equal(t.groups[0].labels.container, ID);
	assert_int_equal(t.groups[0].processes, 2);
	assert_int_equal(t.groups[0].rss_bytes, 3000);
	assert_int_equal(t.groups[0].mmaps, 6);
	assert_int_equal(t.groups[0].native_processes, 2);
	assert_int_equal(t.groups[0].native_live_bytes, 300);
	assert_int_equal(t.groups[0].native_allocs, 4);
	/* The cgroup's memory is the cgroup's, not a sum over its processes. */
	assert_true(t.groups[0].cgroup_memory_known);
	assert_int_equal(t.groups[0].cgroup_memory_bytes, 5000);
	assert_int_equal(t.groups[0].cgroup_memory_limit_bytes, 8000);
	assert_string_equal(t.groups[1].cgroup, "/user.slice");
	assert_string_equal(t.groups[1].labels.container, "");
	assert_int_equal(t.groups[1].processes, 1);
	assert_false(t.groups[1].cgroup_memory_known);
	group_totals__reset(&t);
	assert_int_equal(t.count, 0);
	group_totals__free(&t);
}

static void a_sum_some_process_lacks_is_unknown(void **state)
{
	struct group_totals t = { 0 };
	struct proc a, b;

	(void)state;
	make(&a, "/a", 1000, 100);
	make(&b, "/a", 1000, 0);      /* --light, say: no native counts */
	a.sys.pss_known = true;
	a.sys.pss_bytes = 700;
	a.py.objects_known = true;
	a.py.objects = 42;
	a.r.python = &a.py;
	group_totals__add(&t, &a.r);
	group_totals__add(&t, &b.r);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.groups[0].processes, 2);
	assert_false(group_report__sum_known(t.groups[0].native_processes, &t.groups[0]));
	assert_false(group_report__sum_known(t.groups[0].pss_processes, &t.groups[0]));
	/* Python objects are summed over the Python processes, and say how many. */
	assert_int_equal(t.groups[0].python_processes, 1);
	assert_int_equal(t.groups[0].python_objects, 42);
	group_totals__free(&t);
}

static void a_process_without_a_cgroup_has_a_group_too(void **state)
{
	struct group_totals t = { 0 };
	struct process_report r = { .rss_bytes = 10 };

	(void)state;
	assert_int_equal(group_totals__add(&t, &r), 0);
	assert_int_equal(t.count, 1);
	assert_string_equal(t.groups[0].cgroup, "");
	assert_int_equal(t.groups[0].rss_bytes, 10);
	group_totals__free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sums_a_container_across_its_cgroups),
		cmocka_unit_test(a_sum_some_process_lacks_is_unknown),
		cmocka_unit_test(a_process_without_a_cgroup_has_a_group_too),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
