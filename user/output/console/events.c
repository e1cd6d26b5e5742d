// SPDX-License-Identifier: GPL-2.0
/* Frames, analysis events and the analysis part of the summary on the console. */
#include "output/console/console_sections.h"

#include <inttypes.h>
#include <math.h>

#include "model/analysis_events.h"
#include "target/sysctx.h"

/* A budget's figures: bytes, or a count of a Python type's objects. */
static const char *budget_text(const struct analysis_event *ev, double value, bool with_sign,
			       char *buf, size_t size)
{
	char bytes[32];

	if (ev->python_type)
		snprintf(buf, size, with_sign ? "%+.0f objects" : "%.0f objects", value);
	else
		snprintf(buf, size, "%s%s", with_sign && value >= 0 ? "+" : "",
			 console_bytes(value, bytes, sizeof(bytes)));
	return buf;
}

void console_write_event(FILE *f, const struct analysis_event *ev)
{
	char a[48], b[48], c[48];

	fprintf(f, "! %.1fs PID %d ", ev->elapsed_ns / 1e9, ev->pid);
	switch (ev->type) {
	case EVENT_SPIKE:
		fprintf(f, "spike in %s %" PRIu64 ": %s allocated (norm %s)%s%s%s%s\n",
			ev->in_frame ? "frame" : "interval", ev->seq, console_bytes(ev->bytes, a, sizeof(a)),
			console_bytes(ev->baseline_bytes, b, sizeof(b)), ev->top[0] ? ", mostly " : "",
			ev->top, ev->top_type[0] ? "; type growing most: " : "", ev->top_type);
		break;
	case EVENT_LEAK:
		if (!ev->python_type) {
			fprintf(f, ev->survival ? "leak (%s): stack %s kept %s/s after warm-up, %s at exit\n" :
				"leak (%s): stack %s grows %s/s, %s live\n",
				leak_severity_name(ev->severity), ev->name,
				console_bytes(ev->growth_per_s, a, sizeof(a)), console_bytes(ev->live, b, sizeof(b)));
			if (ev->python_stack) {
				fprintf(f, "    from Python:\n");
				console_write_python_stack(f, ev->python_stack, "      ");
			}
			break;
		}
		fprintf(f, ev->survival ? "leak (%s): %s kept %.1f objects/s after warm-up, %.0f at exit\n" :
			"leak (%s): %s grows %.1f objects/s, %.0f live\n",
			leak_severity_name(ev->severity), ev->name, ev->growth_per_s, ev->live);
		for (size_t i = 0; i < ev->retained_by.count; i++)   /* \xc3\x97: U+00D7 × */
			fprintf(f, "  retained by %s \xc3\x97%" PRIu64 "%s\n", ev->retained_by.paths[i].path,
				ev->retained_by.paths[i].count, ev->retained_by.partial ? " (partial)" : "");
		break;
	case EVENT_DRIFT:
		fprintf(f, "drift: %s %.0f -> %.0f (%+.0f%%)\n", ev->metric, ev->baseline, ev->current,
			isfinite(ev->rel) ? ev->rel * 100 : 0.0);
		break;
	case EVENT_BUDGET:
		fprintf(f, "budget %s %s: %s (limit %s, %s)\n", ev->budget, ev->state,
			budget_text(ev, ev->value, false, a, sizeof(a)),
			budget_text(ev, ev->limit, false, b, sizeof(b)),
			budget_text(ev, ev->excess, true, c, sizeof(c)));
		break;
	}
	fflush(f);
}

void console_write_analysis(FILE *f, const struct process_report *r)
{
	const struct analysis_summary *s = r->analysis;
	char a[32], b[32];

	if (!s)
		return;
	if (s->frames_on) {
		const struct frame_stats *fs = s->frames;

		fprintf(f, "  frames %" PRIu64 ", %.1f FPS, mean %.2f ms, max %.2f ms", fs->frames,
			s->frames_fps,
			fs->frames ? fs->duration_sum_ns / 1e6 / fs->frames : 0.0,
			fs->duration_max_ns / 1e6);
		if (fs->target_fps > 0 && fs->memory_unknown)
			fprintf(f, "; dropped %" PRIu64 " at target %.0f FPS: allocations per frame "
				"unknown (--light), GC runs %" PRIu64 " vs %" PRIu64 " in normal frames",
				fs->dropped.frames, fs->target_fps, fs->dropped.gc_runs,
				fs->normal.gc_runs);
		else if (fs->target_fps > 0)
			fprintf(f, "; dropped %" PRIu64 " at target %.0f FPS: %s/frame vs %s/frame "
				"in normal frames, GC runs %" PRIu64 " vs %" PRIu64, fs->dropped.frames,
				fs->target_fps,
				console_bytes(fs->dropped.frames ? (double)fs->dropped.bytes_allocated /
					  fs->dropped.frames : 0, a, sizeof(a)),
				console_bytes(fs->normal.frames ? (double)fs->normal.bytes_allocated /
					  fs->normal.frames : 0, b, sizeof(b)),
				fs->dropped.gc_runs, fs->normal.gc_runs);
		fputc('\n', f);
	}
	fprintf(f, "  spikes %zu, leaks %zu, drifts %zu, budget events %zu\n", s->spikes_total,
		s->leak_count, s->drift_count, s->budget_count);
	for (size_t i = 0; i < s->leak_count; i++) {
		const struct analysis_event *l = &s->leaks[i];

		if (l->python_type)
			fprintf(f, "  leak (%s) type %s: %+.1f objects/s", leak_severity_name(l->severity),
				l->name, l->growth_per_s);
		else
			fprintf(f, "  leak (%s) stack %s: %s%s/s", leak_severity_name(l->severity),
				l->name, l->growth_per_s >= 0 ? "+" : "",
				console_bytes(l->growth_per_s, a, sizeof(a)));
		if (l->survival && l->python_type)
			fprintf(f, ", %.0f made after %.1fs still live at exit", l->live, l->warmup_s);
		else if (l->survival)
			fprintf(f, ", %s made after %.1fs still live at exit",
				console_bytes(l->live, b, sizeof(b)), l->warmup_s);
		fputc('\n', f);
	}
	for (size_t i = 0; i < s->aged_count; i++)
		fprintf(f, "  outstanding > %.1fs: %s in %" PRIu64 " allocations at %s\n",
			s->leak_age_ns / 1e9, console_bytes((double)s->aged[i].bytes, a, sizeof(a)),
			s->aged[i].count, s->aged[i].depth ? s->aged[i].frames[0] : "?");
}
