/* The default mode's GC probe gate over synthetic reports: when the probes pause and
 * resume, and that a rate between the two limits changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analysis/gc_probe_gate.h"

#define S 1000000000ull

/* Steps the gate once a second, rate collections a second, from t and collections. */
static enum gc_probe_action step_at(struct gc_probe_gate *g, uint64_t *t, uint64_t *collections,
				    uint64_t rate)
{
	enum gc_probe_action a;

	*t += S;
	*collections += rate;
	a = gc_probe_gate__step(g, *t, *collections);
	gc_probe_gate__done(g, a);
	return a;
}

static void test_pauses_above_and_resumes_below(void **state)
{
	struct gc_probe_gate g = { .enabled = true };
	uint64_t t = 0, c = 0;

	(void)state;
	assert_int_equal(gc_probe_gate__step(&g, t, c), GC_PROBES_KEEP);   /* the first: a base */
	assert_int_equal(step_at(&g, &t, &c, 100), GC_PROBES_KEEP);
	assert_int_equal(step_at(&g, &t, &c, GC_PROBE_PAUSE_RATE + 1), GC_PROBES_PAUSE);
	assert_true(g.paused);
	assert_int_equal(step_at(&g, &t, &c, 5000), GC_PROBES_KEEP);
	/* Between the limits: stays paused (no attach and detach at every report). */
	assert_int_equal(step_at(&g, &t, &c, (GC_PROBE_PAUSE_RATE + GC_PROBE_RESUME_RATE) / 2),
			 GC_PROBES_KEEP);
	assert_true(g.paused);
	assert_int_equal(step_at(&g, &t, &c, GC_PROBE_RESUME_RATE - 1), GC_PROBES_RESUME);
	assert_false(g.paused);
	/* Between the limits again: stays on. */
	assert_int_equal(step_at(&g, &t, &c, (GC_PROBE_PAUSE_RATE + GC_PROBE_RESUME_RATE) / 2),
			 GC_PROBES_KEEP);
	assert_false(g.paused);
}

static void test_disabled_keeps_the_probes(void **state)
{
	struct gc_probe_gate g = { .enabled = false };
	uint64_t t = 0, c = 0;

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(step_at(&g, &t, &c, 100000), GC_PROBES_KEEP);
	assert_false(g.paused);
}

/* A rate is read over 200 ms at least: two reports close together decide nothing, and the
 * collections between them count in the next span. */
static void test_short_spans_wait(void **state)
{
	struct gc_probe_gate g = { .enabled = true };

	(void)state;
	assert_int_equal(gc_probe_gate__step(&g, 0, 0), GC_PROBES_KEEP);
	assert_int_equal(gc_probe_gate__step(&g, S / 10, 1000), GC_PROBES_KEEP);
	assert_int_equal(gc_probe_gate__step(&g, S / 2, 1000), GC_PROBES_PAUSE);
}

/* Statistics that went back (the interpreter re-initialized, a new process in the PID)
 * start a new base rather than read as a huge rate. */
static void test_counts_going_back_restart(void **state)
{
	struct gc_probe_gate g = { .enabled = true };

	(void)state;
	assert_int_equal(gc_probe_gate__step(&g, 0, 100000), GC_PROBES_KEEP);
	assert_int_equal(gc_probe_gate__step(&g, S, 10), GC_PROBES_KEEP);
	assert_int_equal(gc_probe_gate__step(&g, 2 * S, 20), GC_PROBES_KEEP);
	assert_false(g.paused);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pauses_above_and_resumes_below),
		cmocka_unit_test(test_disabled_keeps_the_probes),
		cmocka_unit_test(test_short_spans_wait),
		cmocka_unit_test(test_counts_going_back_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
