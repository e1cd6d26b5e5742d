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

	if (ev->pid)
		fprintf(f, "! %.1fs PID %d ", ev->elapsed_ns / 1e9, ev->pid);
	else   /* a budget over processes */
		fprintf(f, "! %.1fs ", ev->elapsed_ns / 1e9);
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
			if (ev->per_frame_known)
				fprintf(f, "    %s per frame, left behind in %" PRIu64 " of %" PRIu64
					" frames\n", console_bytes(ev->per_frame, a, sizeof(a)),
					ev->frames_left, ev->frames_judged);
			if (ev->python_stack) {
				fprintf(f, "    from Python:\n");
				console_write_python_stack(f, ev->python_stack, "      ");
			}
			break;
		}
		fprintf(f, ev->survival ? "leak (%s): %s kept %.1f objects/s after warm-up, %.0f at exit\n" :
			"leak (%s): %s grows %.1f objects/s, %.0f live\n",
			leak_severity_name(ev->severity), ev->name, ev->growth_per_s, ev->live);
		if (ev->per_frame_known)
			fprintf(f, "    %.1f objects per frame, left behind in %" PRIu64 " of %" PRIu64
				" frames\n", ev->per_frame, ev->frames_left, ev->frames_judged);
		for (size_t i = 0; i < ev->retained_by.count; i++)   /* \xc3\x97: U+00D7 × */
			fprintf(f, "  retained by %s \xc3\x97%" PRIu64 "%s\n", ev->retained_by.paths[i].path,
				ev->retained_by.paths[i].count, ev->retained_by.partial ? " (partial)" : "");
		break;
	case EVENT_DRIFT:
		fprintf(f, "drift: %s %.0f -> %.0f (%+.0f%%)\n", ev->metric, ev->baseline, ev->current,
			isfinite(ev->rel) ? ev->rel * 100 : 0.0);
		break;
	case EVENT_BUDGET:
		fprintf(f, "budget %s%s %s: %s (limit %s, %s)\n", ev->budget,
			ev->budget_group ? " (sum of its children)" : "", ev->state,
			budget_text(ev, ev->value, false, a, sizeof(a)),
			budget_text(ev, ev->limit, false, b, sizeof(b)),
			budget_text(ev, ev->excess, true, c, sizeof(c)));
		break;
	case EVENT_FRAGMENTATION:
		fprintf(f, "fragmentation (%s): the allocator holds %s for %s live (gap %s, ",
			ev->name, console_bytes(ev->held, a, sizeof(a)),
			console_bytes(ev->live, b, sizeof(b)), console_bytes(ev->gap, c, sizeof(c)));
		fprintf(f, "growing %s/s while live bytes grow ",
			console_bytes(ev->gap_growth_per_s, a, sizeof(a)));
		fprintf(f, "%s/s), RSS %s\n", console_bytes(ev->growth_per_s, b, sizeof(b)),
			console_bytes(ev->rss, c, sizeof(c)));
		break;
	case EVENT_FORECAST:
		fprintf(f, "forecast: %s reaches its limit %s in %.0f s (95%%: %.0f", ev->budget,
			budget_text(ev, ev->limit, false, a, sizeof(a)), ev->eta_s, ev->eta_low_s);
		if (isfinite(ev->eta_high_s))
			fprintf(f, "-%.0f s)", ev->eta_high_s);
		else
			fprintf(f, " s or more)");
		fprintf(f, " at %s now, growing %s/s\n",
			budget_text(ev, ev->value, false, b, sizeof(b)),
			budget_text(ev, ev->growth_per_s, false, c, sizeof(c)));
		break;
	case EVENT_OOM:
		console_write_oom(f, ev);
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
		if (!fs->tracer_unknown)
			fprintf(f, " (of which the probes' %.2f ms, max %.2f ms: not counted in "
				"drops)", fs->frames ? fs->tracer_sum_ns / 1e6 / fs->frames : 0.0,
				fs->tracer_max_ns / 1e6);
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
		if (!l->per_frame_known)
			continue;
		if (l->python_type)
			fprintf(f, "    %.1f objects per frame", l->per_frame);
		else
			fprintf(f, "    %s per frame", console_bytes(l->per_frame, a, sizeof(a)));
		fprintf(f, ", left behind in %" PRIu64 " of %" PRIu64 " frames\n", l->frames_left,
			l->frames_judged);
	}
	for (size_t i = 0; i < s->forecast_count; i++) {
		const struct analysis_event *fc = &s->forecasts[i];

		fprintf(f, "  forecast %s: limit %s in %.0f s (95%%: %.0f-", fc->budget,
			budget_text(fc, fc->limit, false, a, sizeof(a)), fc->eta_s, fc->eta_low_s);
		if (isfinite(fc->eta_high_s))
			fprintf(f, "%.0f s)\n", fc->eta_high_s);
		else
			fprintf(f, "? s)\n");
	}
	for (size_t i = 0; i < s->aged_count; i++)
		fprintf(f, "  outstanding > %.1fs: %s in %" PRIu64 " allocations at %s\n",
			s->leak_age_ns / 1e9, console_bytes((double)s->aged[i].bytes, a, sizeof(a)),
			s->aged[i].count, s->aged[i].depth ? s->aged[i].frames[0] : "?");
}
