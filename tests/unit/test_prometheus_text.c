/* The --prometheus endpoint's text (output/prometheus/): escaping, sample values, the
 * listen address, and what the table renders for a report. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/analysis_events.h"
#include "model/frame_report.h"
#include "model/report.h"
#include "output/prometheus/listen.h"
#include "output/prometheus/table.h"
#include "output/prometheus/text.h"
#include "target/sysctx.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void escaped_label(const char *in, const char *expected)
{
	struct prom_text t = { 0 };

	prom_text__label_value(&t, in);
	assert_string_equal(t.data ? t.data : "", expected);
	prom_text__free(&t);
}

static void escapes_label_values(void **state)
{
	(void)state;
	escaped_label("a\\b\"c\nd", "a\\\\b\\\"c\\nd");
	escaped_label("plain/path-1.scope", "plain/path-1.scope");
	escaped_label("", "");
	escaped_label("tab\there", "tab\there");        /* only \ " and newline are escaped */
}

static void replaces_bytes_that_are_not_utf8(void **state)
{
	(void)state;
	escaped_label("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	escaped_label("a\xff" "b", "a?b");
	escaped_label("\xc0\xaf", "??");                 /* overlong '/' */
	escaped_label("\xed\xa0\x80", "???");            /* a UTF-16 surrogate */
	escaped_label("\xf4\x90\x80\x80", "????");       /* above U+10FFFF */
	escaped_label("end\xe2\x82", "end??");           /* cut short */
}

static void escapes_help_text(void **state)
{
	struct prom_text t = { 0 };

	(void)state;
	prom_text__help(&t, "a \\ \"quoted\"\nnext");
	assert_string_equal(t.data, "a \\\\ \"quoted\"\\nnext");
	prom_text__free(&t);
}

static void value(double v, const char *expected)
{
	struct prom_text t = { 0 };

	prom_text__double(&t, v);
	assert_string_equal(t.data, expected);
	prom_text__free(&t);
}

static void writes_values_as_the_format_spells_them(void **state)
{
	(void)state;
	value(3, "3");
	value(-2, "-2");
	value(0.25, "0.25");
	value(0.1, "0.10000000000000001");   /* round-trips */
	value(INFINITY, "+Inf");
	value(-INFINITY, "-Inf");
	value(NAN, "NaN");
}

static void listen_at(const char *arg, const char *shown)
{
	struct prom_listen l;

	assert_int_equal(prom_listen__parse(arg, &l), PROM_LISTEN_OK);
	assert_true(l.on);
	assert_string_equal(l.shown, shown);
}

static void parses_listen_addresses(void **state)
{
	struct prom_listen l;

	(void)state;
	listen_at("9100", "127.0.0.1:9100");
	listen_at("0.0.0.0:1", "0.0.0.0:1");
	listen_at("10.1.2.3:65535", "10.1.2.3:65535");
	listen_at("[::1]:9100", "[::1]:9100");
	assert_int_equal(prom_listen__parse("[::]:80", &l), PROM_LISTEN_OK);
	assert_int_equal(l.addr.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&l.addr)->sin6_port), 80);
	assert_int_equal(prom_listen__parse("9100", &l), PROM_LISTEN_OK);
	assert_int_equal(l.addr.ss_family, AF_INET);
	assert_int_equal(ntohl(((struct sockaddr_in *)&l.addr)->sin_addr.s_addr), 0x7f000001);
}

static void refuses_bad_addresses_and_ports(void **state)
{
	static const char *const bad_address[] = {
		"localhost:9100", "1.2.3:80", "1.2.3.4.5:80", ":9100", "[::1:9100", "::1:9100",
		"[]:80", "[1.2.3.4]:80", "256.1.1.1:80", " 1.2.3.4:80",
	};
	static const char *const bad_port[] = {
		"0", "65536", "99999999999999999999", "abc", "", "1.2.3.4:", "80x", "-1", "+80",
		"[::1]:0", "127.0.0.1:70000",
	};
	struct prom_listen l;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_address) / sizeof(bad_address[0]); i++) {
		if (prom_listen__parse(bad_address[i], &l) != PROM_LISTEN_BAD_ADDRESS)
			fail_msg("'%s' should be a bad address", bad_address[i]);
		assert_false(l.on);
	}
	for (size_t i = 0; i < sizeof(bad_port) / sizeof(bad_port[0]); i++)
		if (prom_listen__parse(bad_port[i], &l) != PROM_LISTEN_BAD_PORT)
			fail_msg("'%s' should be a bad port", bad_port[i]);
}

/* --- the table ---------------------------------------------------------------------- */

static char *render(struct prom_table *t)
{
	struct prom_text out = { 0 };

	assert_int_equal(prom_table__render(t, &out), 0);
	return out.data;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void assert_line(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("no line '%s' in:\n%s", line, text);
}

static void assert_no_line_with(const char *text, const char *part)
{
	if (strstr(text, part))
		fail_msg("'%s' should be absent from:\n%s", part, text);
}

static struct process_report native_report(pid_t pid, const struct system_context *sys)
{
	return (struct process_report){
		.pid = pid, .comm = "hold \"x\"", .native_traced = true, .rss_bytes = 4096,
		.native = { .allocs = 150, .frees = 50, .bytes_allocated = 15000,
			    .bytes_freed = 5000 },
		.system = sys,
	};
}

#define LABELS "pid=\"42\",comm=\"hold \\\"x\\\"\",cgroup=\"/system.slice/docker-" ID \
	       ".scope\",container=\"" ID "\""

static void renders_a_process_with_its_labels_and_every_family_header(void **state)
{
	struct system_context sys = { .pss_known = true, .pss_bytes = 2048, .cgroup_known = true,
				      .cgroup_current = 1 << 20 };
	struct process_report r = native_report(42, &sys);
	struct prom_table t;
	char *text;

	(void)state;
	snprintf(sys.cgroup, sizeof(sys.cgroup), "/system.slice/docker-%s.scope", ID);
	assert_int_equal(prom_table__init(&t, 20, false, 8), 0);
	prom_table__interval(&t, &r);
	text = render(&t);
	assert_line(text, "# TYPE memtrace_native_live_allocations gauge");
	assert_line(text, "# TYPE memtrace_native_allocations_total counter");
	assert_line(text, "# TYPE memtrace_frame_duration_seconds histogram");
	assert_line(text, "memtrace_native_allocations_total{" LABELS "} 150");
	assert_line(text, "memtrace_native_live_allocations{" LABELS "} 100");
	assert_line(text, "memtrace_native_live_bytes{" LABELS "} 10000");
	assert_line(text, "memtrace_process_rss_bytes{" LABELS "} 4096");
	assert_line(text, "memtrace_process_pss_bytes{" LABELS "} 2048");
	assert_line(text, "memtrace_cgroup_memory_bytes{" LABELS "} 1048576");
	assert_line(text, "memtrace_leaks{" LABELS ",severity=\"critical\"} 0");
	/* no limit (memory.max "max"), no Python, no --frame: absent, not 0 */
	assert_no_line_with(text, "memtrace_cgroup_memory_limit_bytes{");
	assert_no_line_with(text, "memtrace_python_objects{");
	assert_no_line_with(text, "memtrace_python_gc_collections_total{");
	assert_no_line_with(text, "memtrace_frames_total{");
	for (const char *p = text; (p = strstr(p, "# TYPE ")); p++) {
		char name[128];

		assert_int_equal(sscanf(p, "# TYPE %127s", name), 1);
		char help[160];

		snprintf(help, sizeof(help), "# HELP %s ", name);
		if (!strstr(text, help))
			fail_msg("no HELP for %s", name);
	}
	free(text);
	prom_table__free(&t);
}

static void leaves_native_figures_out_when_they_are_not_traced(void **state)
{
	struct process_report r = native_report(42, NULL);
	struct prom_table t;
	char *text;

	(void)state;
	r.native_traced = false;   /* --light */
	assert_int_equal(prom_table__init(&t, 20, false, 8), 0);
	prom_table__interval(&t, &r);
	text = render(&t);
	assert_no_line_with(text, "memtrace_native_live_allocations{");
	assert_no_line_with(text, "memtrace_native_allocations_total{");
	assert_no_line_with(text, "kind=\"allocation\"");
	assert_line(text, "memtrace_process_rss_bytes{pid=\"42\",comm=\"hold \\\"x\\\"\"} 4096");
	free(text);
	prom_table__free(&t);
}

static void serves_gpu_memory_by_device(void **state)
{
	struct gpu_device_report devices[] = {
		{ .device = 0, .allocs = 3, .reserved_bytes = 6 << 20, .allocated_bytes = 5 << 20 },
		{ .device = 3, .allocs = 1, .reserved_bytes = 2 << 20, .allocated_bytes = 0 },
	};
	struct gpu_report gpu = { .runtime = true, .device_count = 2, .devices = devices };
	struct process_report r = native_report(42, NULL);
	struct prom_table t;
	char *text;

	(void)state;
	assert_int_equal(prom_table__init(&t, 20, false, 8), 0);
	prom_table__interval(&t, &r);
	text = render(&t);
	assert_no_line_with(text, "memtrace_gpu_live_bytes{");   /* no CUDA library probed */
	free(text);
	r.gpu = &gpu;
	prom_table__interval(&t, &r);
	text = render(&t);
	/* No caching allocator: live is what is held from CUDA; allocated is unknown. */
	assert_line(text, "memtrace_gpu_live_bytes{pid=\"42\",comm=\"hold \\\"x\\\"\",device=\"0\"} 6291456");
	assert_line(text, "memtrace_gpu_reserved_bytes{pid=\"42\",comm=\"hold \\\"x\\\"\",device=\"3\"} 2097152");
	assert_line(text, "memtrace_gpu_allocations_total{pid=\"42\",comm=\"hold \\\"x\\\"\",device=\"0\"} 3");
	assert_no_line_with(text, "memtrace_gpu_allocated_bytes{");
	free(text);
	gpu.caching = true;
	prom_table__interval(&t, &r);
	text = render(&t);
	assert_line(text, "memtrace_gpu_live_bytes{pid=\"42\",comm=\"hold \\\"x\\\"\",device=\"0\"} 5242880");
	assert_line(text, "memtrace_gpu_reserved_bytes{pid=\"42\",comm=\"hold \\\"x\\\"\",device=\"0\"} 6291456");
	assert_line(text, "memtrace_gpu_allocated_bytes{pid=\"42\",comm=\"hold \\\"x\\\"\",device=\"3\"} 0");
	free(text);
	prom_table__free(&t);
}

static void serves_the_top_python_types_and_gc_totals(void **state)
{
	struct python_type_report types[] = {
		{ .name = "dict", .has_live = true, .live = 500, .live_bytes = 50000 },
		{ .name = "Node", .has_live = true, .live = 300, .live_bytes = 9600 },
		{ .name = "list", .has_live = true, .live = 200, .live_bytes = 11200 },
		{ .name = "Node", .has_live = true, .live = 100, .live_bytes = 3200 },  /* another module's */
		{ .name = "int", .has_live = false },
	};
	struct python_report py = { .mode = "census", .types = types, .type_count = 5,
				    .gc_known = true, .gc_collections = { 3, 1, 0 },
				    .gc_time_known = true, .gc_time_ns = 1500000000 };
	struct process_report r = native_report(7, NULL);
	struct prom_table t;
	char *text;

	(void)state;
	r.python = &py;
	assert_int_equal(prom_table__init(&t, 2, false, 8), 0);
	prom_table__interval(&t, &r);
	prom_table__interval(&t, &r);   /* an interval's collections add up */
	text = render(&t);
	assert_line(text, "memtrace_python_objects{pid=\"7\",comm=\"hold \\\"x\\\"\",type=\"dict\"} 500");
	assert_line(text, "memtrace_python_objects{pid=\"7\",comm=\"hold \\\"x\\\"\",type=\"Node\"} 400");
	assert_line(text, "memtrace_python_object_bytes{pid=\"7\",comm=\"hold \\\"x\\\"\",type=\"Node\"} 12800");
	assert_no_line_with(text, "type=\"list\"");   /* third: beyond --prometheus-top 2 */
	assert_no_line_with(text, "type=\"int\"");    /* not counted by this mode */
	assert_line(text, "memtrace_python_gc_collections_total{pid=\"7\",comm=\"hold \\\"x\\\"\","
			  "generation=\"0\"} 6");
	assert_line(text, "memtrace_python_gc_seconds_total{pid=\"7\",comm=\"hold \\\"x\\\"\"} 3");
	free(text);
	prom_table__free(&t);
}

static void counts_leaks_by_their_latest_severity(void **state)
{
	struct process_report r = native_report(9, NULL);
	struct analysis_event ev = { .type = EVENT_LEAK, .pid = 9, .python_type = true,
				     .name = "Node", .severity = LEAK_SEVERITY_LOW };
	struct prom_table t;
	char *text;

	(void)state;
	assert_int_equal(prom_table__init(&t, 20, false, 8), 0);
	prom_table__event(&t, &ev);
	ev.severity = LEAK_SEVERITY_HIGH;   /* the same series, graver */
	prom_table__event(&t, &ev);
	snprintf(ev.name, sizeof(ev.name), "%s", "grow+0x1a (/bin/x)");
	ev.python_type = false;
	ev.severity = LEAK_SEVERITY_LOW;
	prom_table__event(&t, &ev);
	prom_table__interval(&t, &r);
	text = render(&t);
	assert_line(text, "memtrace_leaks{pid=\"9\",comm=\"hold \\\"x\\\"\",severity=\"low\"} 1");
	assert_line(text, "memtrace_leaks{pid=\"9\",comm=\"hold \\\"x\\\"\",severity=\"high\"} 1");
	assert_line(text, "memtrace_leak_detections_total{pid=\"9\",comm=\"hold \\\"x\\\"\","
			  "severity=\"low\"} 2");
	assert_line(text, "memtrace_leak_detections_total{pid=\"9\",comm=\"hold \\\"x\\\"\","
			  "severity=\"high\"} 1");
	free(text);
	prom_table__free(&t);
}

static void serves_drift_budgets_and_frame_durations(void **state)
{
	struct process_report r = native_report(5, NULL);
	struct analysis_event drift = { .type = EVENT_DRIFT, .pid = 5, .metric = "rss_bytes",
					.rel = 0.5 };
	struct analysis_event budget = { .type = EVENT_BUDGET, .pid = 5, .budget = "process",
					 .value = 300, .limit = 200 };
	struct analysis_event forecast = { .type = EVENT_FORECAST, .pid = 5, .budget = "cgroup",
					   .eta_s = 1800.5 };
	struct analysis_event oom = { .type = EVENT_OOM, .pid = 5 };
	struct frame_report frames[] = {
		{ .pid = 5, .start_ns = 0, .end_ns = 1000000 },           /* 1 ms */
		{ .pid = 5, .start_ns = 0, .end_ns = 20000000 },          /* 20 ms */
		{ .pid = 5, .start_ns = 0, .end_ns = 30000000000ull, .lost = 2 },   /* 30 s */
	};
	struct prom_table t;
	char *text;

	(void)state;
	assert_int_equal(prom_table__init(&t, 20, true, 8), 0);
	prom_table__event(&t, &drift);
	prom_table__event(&t, &budget);
	prom_table__event(&t, &forecast);
	prom_table__event(&t, &oom);
	for (size_t i = 0; i < 3; i++)
		prom_table__frame(&t, &frames[i]);
	prom_table__interval(&t, &r);
	text = render(&t);
#define P "{pid=\"5\",comm=\"hold \\\"x\\\"\""
	assert_line(text, "memtrace_drift_ratio" P ",metric=\"rss_bytes\"} 0.5");
	assert_line(text, "memtrace_budget_usage_ratio" P ",budget=\"process\"} 1.5");
	assert_line(text, "memtrace_forecast_seconds" P ",limit=\"cgroup\"} 1800.5");
	assert_line(text, "memtrace_oom_killed" P "} 1");
	assert_line(text, "memtrace_frames_total" P "} 3");
	assert_line(text, "memtrace_frame_duration_seconds_bucket" P ",le=\"0.001\"} 1");
	assert_line(text, "memtrace_frame_duration_seconds_bucket" P ",le=\"0.0167\"} 1");
	assert_line(text, "memtrace_frame_duration_seconds_bucket" P ",le=\"0.0333\"} 2");
	assert_line(text, "memtrace_frame_duration_seconds_bucket" P ",le=\"10\"} 2");
	assert_line(text, "memtrace_frame_duration_seconds_bucket" P ",le=\"+Inf\"} 3");
	assert_line(text, "memtrace_frame_duration_seconds_count" P "} 3");
	assert_line(text, "memtrace_frame_duration_seconds_sum" P "} 30.021000000000001");
	assert_line(text, "memtrace_dropped_events_total" P ",kind=\"frame\"} 2");
#undef P
	free(text);
	prom_table__free(&t);
}

static void serves_an_exited_process_once_then_drops_it(void **state)
{
	struct process_report r = native_report(11, NULL);
	struct prom_table t;
	char *text;

	(void)state;
	assert_int_equal(prom_table__init(&t, 20, false, 8), 0);
	prom_table__interval(&t, &r);
	r.exited = true;
	r.native.frees = 150;
	prom_table__summary(&t, &r);
	text = render(&t);
	assert_line(text, "memtrace_native_live_allocations{pid=\"11\",comm=\"hold \\\"x\\\"\"} 0");
	assert_no_line_with(text, "memtrace_process_rss_bytes{");   /* gone: no RSS */
	free(text);
	text = render(&t);
	assert_no_line_with(text, "pid=\"11\"");
	free(text);
	prom_table__free(&t);
}

static void keeps_a_bounded_number_of_exited_processes_unscraped(void **state)
{
	struct prom_table t;
	char *text;

	(void)state;
	assert_int_equal(prom_table__init(&t, 20, false, 3), 0);
	for (pid_t pid = 100; pid < 110; pid++) {
		struct process_report r = native_report(pid, NULL);

		prom_table__interval(&t, &r);
		r.exited = true;
		prom_table__summary(&t, &r);
	}
	assert_int_equal(t.count, 3);
	text = render(&t);
	assert_no_line_with(text, "pid=\"106\"");
	assert_line(text, "memtrace_native_live_allocations{pid=\"107\",comm=\"hold \\\"x\\\"\"} 100");
	assert_line(text, "memtrace_native_live_allocations{pid=\"109\",comm=\"hold \\\"x\\\"\"} 100");
	free(text);
	prom_table__free(&t);
}

static void a_new_process_with_an_exited_ones_pid_replaces_it(void **state)
{
	struct process_report r = native_report(12, NULL);
	struct prom_table t;
	char *text;

	(void)state;
	assert_int_equal(prom_table__init(&t, 20, false, 8), 0);
	prom_table__interval(&t, &r);
	r.exited = true;
	prom_table__summary(&t, &r);
	r = native_report(12, NULL);
	r.native.allocs = 7;
	r.native.frees = 0;
	prom_table__interval(&t, &r);
	text = render(&t);
	assert_line(text, "memtrace_native_allocations_total{pid=\"12\",comm=\"hold \\\"x\\\"\"} 7");
	assert_no_line_with(text, "} 150\n");   /* one series per label set */
	free(text);
	prom_table__free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes_label_values),
		cmocka_unit_test(replaces_bytes_that_are_not_utf8),
		cmocka_unit_test(escapes_help_text),
		cmocka_unit_test(writes_values_as_the_format_spells_them),
		cmocka_unit_test(parses_listen_addresses),
		cmocka_unit_test(refuses_bad_addresses_and_ports),
		cmocka_unit_test(renders_a_process_with_its_labels_and_every_family_header),
		cmocka_unit_test(leaves_native_figures_out_when_they_are_not_traced),
		cmocka_unit_test(serves_gpu_memory_by_device),
		cmocka_unit_test(serves_the_top_python_types_and_gc_totals),
		cmocka_unit_test(counts_leaks_by_their_latest_severity),
		cmocka_unit_test(serves_drift_budgets_and_frame_durations),
		cmocka_unit_test(serves_an_exited_process_once_then_drops_it),
		cmocka_unit_test(keeps_a_bounded_number_of_exited_processes_unscraped),
		cmocka_unit_test(a_new_process_with_an_exited_ones_pid_replaces_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
