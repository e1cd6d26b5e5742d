// SPDX-License-Identifier: GPL-2.0
/* The page's charts in SVG: the timeline (RSS, live bytes, Python objects, with events
 * marked), the frames (duration and bytes allocated, dropped ones marked), the heatmap of
 * Python types over time. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/html/html.h"

#define CHART_W 1000
#define CHART_H 120
#define LEFT 80                  /* room for the y labels */
#define PLOT_W (CHART_W - LEFT - 10)
#define PLOT_H (CHART_H - 22)
#define TOP 6
#define FRAME_COLUMNS 1000       /* frames beyond it share a column (its maximum drawn) */
#define HEATMAP_TYPES 25
#define HEATMAP_COLUMNS 300
#define HEATMAP_ROW 14
#define DOTS_MAX 2000            /* more intervals: the line alone, no dot per point */

enum series { SERIES_RSS, SERIES_LIVE, SERIES_OBJECTS };

static const char *const mark_class[] = {
	[MARK_SPIKE] = "spike", [MARK_LEAK] = "leak", [MARK_GC] = "gc", [MARK_BUDGET] = "budget",
	[MARK_DRIFT] = "drift",
};

static bool point_value(const struct html_point *pt, enum series s, double *v)
{
	switch (s) {
	case SERIES_RSS:
		*v = (double)pt->rss_bytes;
		return pt->rss_bytes != 0;
	case SERIES_LIVE:
		*v = (double)pt->live_bytes;
		return pt->native_known;
	case SERIES_OBJECTS:
		*v = (double)pt->objects;
		return pt->objects_known;
	}
	return false;
}

static void label(char *buf, size_t size, double v, bool bytes)
{
	if (bytes)
		html_bytes(buf, size, v);
	else
		snprintf(buf, size, "%.0f", v);
}

static double x_of(uint64_t elapsed_ns, double t_max)
{
	return LEFT + (t_max > 0 ? elapsed_ns / t_max : 0) * PLOT_W;
}

/* x_from, x_to: what the x axis spans ("0 s", "12.5 s"; the first and last frames). */
static void axes(FILE *f, const char *title, double y_max, bool bytes, const char *x_from,
		 const char *x_to)
{
	char top[48];

	label(top, sizeof(top), y_max, bytes);
	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"100%%\">\n"
		"<text class=\"title\" x=\"%d\" y=\"%d\">", CHART_W, CHART_H, LEFT + 4, TOP + 10);
	html_escape(f, title);
	fprintf(f, "</text><line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		"<text class=\"ylabel\" x=\"%d\" y=\"%d\">%s</text>"
		"<text class=\"ylabel\" x=\"%d\" y=\"%d\">0</text>"
		"<text class=\"xlabel\" x=\"%d\" y=\"%d\">%s</text>"
		"<text class=\"xlabel end\" x=\"%d\" y=\"%d\">%s</text>\n",
		LEFT, TOP, LEFT, TOP + PLOT_H, LEFT, TOP + PLOT_H, LEFT + PLOT_W, TOP + PLOT_H,
		LEFT - 4, TOP + 10, top, LEFT - 4, TOP + PLOT_H, LEFT, CHART_H - 3, x_from,
		LEFT + PLOT_W, CHART_H - 3, x_to);
}

/* Each kind's marks at most one per pixel (a tooltip names the first there). */
static void marks(FILE *f, const struct html_process *p, double t_max)
{
	size_t drawn_x[MARK_KINDS] = { 0 };

	for (size_t i = 0; i < p->mark_count; i++) {
		const struct html_mark *m = &p->marks[i];
		double x = x_of(m->elapsed_ns, t_max);

		if (drawn_x[m->kind] && (size_t)x <= drawn_x[m->kind])
			continue;
		drawn_x[m->kind] = (size_t)x;
		fprintf(f, "<line class=\"mark %s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\">"
			"<title>%.3f s: ", mark_class[m->kind], x, m->kind == MARK_GC ?
			TOP + PLOT_H - 10 : TOP, x, TOP + PLOT_H, m->elapsed_ns / 1e9);
		html_escape(f, m->label);
		fputs("</title></line>\n", f);
	}
	/* Dropped frames: one mark per pixel at most (its tooltip names the first). */
	for (size_t i = 0, drawn_x = 0; i < p->frame_count; i++) {
		const struct html_frame *fr = &p->frames[i];
		double x;

		if (!fr->dropped)
			continue;
		x = x_of(fr->start_ns > p->attach_ns ? fr->start_ns - p->attach_ns : 0, t_max);
		if (x > LEFT + PLOT_W)
			x = LEFT + PLOT_W;
		if (drawn_x && (size_t)x <= drawn_x)
			continue;
		drawn_x = (size_t)x;
		fprintf(f, "<line class=\"mark drop\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\">"
			"<title>frame %" PRIu64 " dropped (%.3f ms)</title></line>\n", x, TOP + PLOT_H - 20,
			x, TOP + PLOT_H, fr->seq, fr->duration_ns / 1e6);
	}
}

static void series_chart(FILE *f, const struct html_process *p, enum series s,
			 const char *title, bool bytes, double t_max)
{
	double y_max = 0, v;
	bool any = false, pen_down = false;
	char end[32];

	for (size_t i = 0; i < p->point_count; i++)
		if (point_value(&p->points[i], s, &v)) {
			any = true;
			if (v > y_max)
				y_max = v;
		}
	if (!any)
		return;
	snprintf(end, sizeof(end), "%.1f s", t_max / 1e9);
	axes(f, title, y_max, bytes, "0 s", end);
	fputs("<path class=\"line\" d=\"", f);
	for (size_t i = 0; i < p->point_count; i++) {
		if (!point_value(&p->points[i], s, &v)) {
			pen_down = false;
			continue;
		}
		fprintf(f, "%c%.1f %.1f ", pen_down ? 'L' : 'M', x_of(p->points[i].elapsed_ns, t_max),
			TOP + PLOT_H - (y_max > 0 ? v / y_max : 0) * PLOT_H);
		pen_down = true;
	}
	fputs("\"/>\n", f);
	for (size_t i = 0; p->point_count <= DOTS_MAX && i < p->point_count; i++)
		if (point_value(&p->points[i], s, &v)) {
			char value[48];

			label(value, sizeof(value), v, bytes);
			fprintf(f, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\"><title>"
				"%.3f s: %s</title></circle>\n", x_of(p->points[i].elapsed_ns, t_max),
				TOP + PLOT_H - (y_max > 0 ? v / y_max : 0) * PLOT_H,
				p->points[i].elapsed_ns / 1e9, value);
		}
	marks(f, p, t_max);
	fputs("</svg>\n", f);
}

static double time_max(const struct html_process *p)
{
	uint64_t t = p->elapsed_ns;

	if (p->point_count && p->points[p->point_count - 1].elapsed_ns > t)
		t = p->points[p->point_count - 1].elapsed_ns;
	for (size_t i = 0; i < p->mark_count; i++)
		if (p->marks[i].elapsed_ns > t)
			t = p->marks[i].elapsed_ns;
	return (double)t;
}

void charts__timeline(FILE *f, const struct html_process *p)
{
	double t_max = time_max(p);

	if (!p->point_count) {
		fputs("<p class=\"none\">No interval was reported (the process ended within the "
		      "first interval).</p>\n", f);
		return;
	}
	series_chart(f, p, SERIES_RSS, "RSS", true, t_max);
	series_chart(f, p, SERIES_LIVE, "live bytes (malloc family)", true, t_max);
	series_chart(f, p, SERIES_OBJECTS, "Python objects (GC-tracked)", false, t_max);
	fputs("<p class=\"legend\"><span class=\"k spike\"></span>spike "
	      "<span class=\"k leak\"></span>leak <span class=\"k gc\"></span>GC run "
	      "<span class=\"k drop\"></span>dropped frame <span class=\"k budget\"></span>budget "
	      "<span class=\"k drift\"></span>drift</p>\n", f);
}

/* One panel of the frames chart: a bar per column (frames split evenly among columns). */
static void frame_panel(FILE *f, const struct html_process *p, bool bytes_panel)
{
	size_t n = p->frame_count, columns = n < FRAME_COLUMNS ? n : FRAME_COLUMNS;
	double y_max = 0, bar_w = (double)PLOT_W / columns;
	uint64_t first = p->frames[0].seq, last = p->frames[n - 1].seq;
	char title[96], from[32], to[32];

	for (size_t i = 0; i < n; i++) {
		double v = bytes_panel ? p->frames[i].bytes_allocated : p->frames[i].duration_ns / 1e6;

		if (v > y_max)
			y_max = v;
	}
	snprintf(title, sizeof(title), "%s per frame (frames %" PRIu64 " to %" PRIu64 ")",
		 bytes_panel ? "bytes allocated" : "duration (ms)", first, last);
	snprintf(from, sizeof(from), "frame %" PRIu64, first);
	snprintf(to, sizeof(to), "frame %" PRIu64, last);
	axes(f, title, y_max, bytes_panel, from, to);
	for (size_t c = 0; c < columns; c++) {
		size_t from = c * n / columns, to = (c + 1) * n / columns;
		const struct html_frame *top = &p->frames[from];
		bool dropped = false;
		double v = 0;

		for (size_t i = from; i < to; i++) {
			double w = bytes_panel ? p->frames[i].bytes_allocated :
				   p->frames[i].duration_ns / 1e6;

			dropped |= p->frames[i].dropped;
			if (w >= v) {
				v = w;
				top = &p->frames[i];
			}
		}
		fprintf(f, "<rect class=\"bar%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
			"height=\"%.1f\"><title>frame %" PRIu64 ": %.3f ms, %" PRIu64 " bytes%s"
			"</title></rect>\n", dropped ? " dropped" : "", LEFT + c * bar_w,
			TOP + PLOT_H - (y_max > 0 ? v / y_max : 0) * PLOT_H, bar_w > 1.5 ? bar_w - 0.5 : bar_w,
			(y_max > 0 ? v / y_max : 0) * PLOT_H, top->seq, top->duration_ns / 1e6,
			top->bytes_allocated, dropped ? " (dropped)" : "");
	}
	for (size_t i = 0; i < p->mark_count; i++) {
		const struct html_mark *m = &p->marks[i];
		double x;

		if (m->kind != MARK_SPIKE || !m->frame || m->frame < first || m->frame > last)
			continue;
		x = LEFT + (double)(m->frame - first) / (last - first + 1) * PLOT_W + bar_w / 2;
		fprintf(f, "<text class=\"spike-label\" x=\"%.1f\" y=\"%d\">spike: frame %" PRIu64
			"</text>\n", x + 3, TOP + 22, m->frame);
	}
	fputs("</svg>\n", f);
}

void charts__frames(FILE *f, const struct html_process *p)
{
	size_t dropped = 0;

	for (size_t i = 0; i < p->frame_count; i++)
		dropped += p->frames[i].dropped;
	fprintf(f, "<p>%zu frames, %zu dropped", p->frame_count, dropped);
	if (p->frames_left_out)
		fprintf(f, "; %" PRIu64 " later frames left out of the chart", p->frames_left_out);
	fputs(".</p>\n", f);
	frame_panel(f, p, false);
	if (p->frame_count && p->frames[0].native_known)
		frame_panel(f, p, true);
}

struct type_rank {
	uint32_t type;
	uint64_t peak;
};

static int by_peak(const void *a, const void *b)
{
	const struct type_rank *x = a, *y = b;

	return x->peak < y->peak ? 1 : x->peak > y->peak ? -1 : (x->type > y->type) - (x->type < y->type);
}

/* A type's count at every point, from its cells (each holds until the next). */
static void type_series(const struct html_process *p, uint32_t type, uint64_t *at)
{
	uint64_t live = HTML_UNKNOWN;
	size_t point = 0;

	for (size_t i = 0; i < p->cell_count; i++) {
		const struct html_cell *c = &p->cells[i];

		if (c->type != type)
			continue;
		for (; point < c->point; point++)
			at[point] = live;
		live = c->live;
	}
	for (; point < p->point_count; point++)
		at[point] = live;
}

static void heatmap_row(FILE *f, const struct html_process *p, size_t row, uint32_t type,
			uint64_t peak, const uint64_t *at, size_t columns, double x0, double cell_w)
{
	const double row_h = HEATMAP_ROW;

	fprintf(f, "<text class=\"tname\" x=\"%.0f\" y=\"%.1f\">", x0 - 4, row * row_h + row_h - 3);
	html_escape(f, p->types[type].name);
	fputs("</text>\n", f);
	for (size_t c = 0; c < columns; c++) {
		size_t last = (c + 1) * p->point_count / columns - 1;   /* the column's latest */
		double share;

		if (at[last] == HTML_UNKNOWN)
			continue;
		share = peak ? (double)at[last] / peak : 0;
		fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
			"fill=\"hsl(%.0f,80%%,%.0f%%)\"><title>", x0 + c * cell_w, row * row_h,
			cell_w + 0.2, row_h - 1, 220 - share * 220, 92 - share * 47);
		html_escape(f, p->types[type].name);
		fprintf(f, " at %.1f s: %" PRIu64 " live</title></rect>\n",
			p->points[last].elapsed_ns / 1e9, at[last]);
	}
}

/* The types with the most live objects at their peak, a row each; a column per interval (at
 * most HEATMAP_COLUMNS: then the latest of those it covers), shaded by the count against the
 * row's peak (growth shows whatever the type's size). */
void charts__heatmap(FILE *f, const struct html_process *p)
{
	struct type_rank *ranks = calloc(p->type_count ? p->type_count : 1, sizeof(*ranks));
	uint64_t *at = calloc(p->point_count ? p->point_count : 1, sizeof(*at));
	size_t rows = p->type_count < HEATMAP_TYPES ? p->type_count : HEATMAP_TYPES;
	size_t columns = p->point_count < HEATMAP_COLUMNS ? p->point_count : HEATMAP_COLUMNS;
	const int name_w = 220;

	if (!ranks || !at || !p->cell_count || !p->point_count) {
		free(ranks);
		free(at);
		fputs("<p class=\"none\">No Python type census.</p>\n", f);
		return;
	}
	for (size_t t = 0; t < p->type_count; t++)
		ranks[t].type = (uint32_t)t;
	for (size_t i = 0; i < p->cell_count; i++)
		if (p->cells[i].live != HTML_UNKNOWN && p->cells[i].live > ranks[p->cells[i].type].peak)
			ranks[p->cells[i].type].peak = p->cells[i].live;
	qsort(ranks, p->type_count, sizeof(*ranks), by_peak);
	fprintf(f, "<svg class=\"heatmap\" viewBox=\"0 0 %d %d\" width=\"100%%\">\n", CHART_W,
		(int)rows * HEATMAP_ROW + 16);
	for (size_t r = 0; r < rows; r++) {
		type_series(p, ranks[r].type, at);
		heatmap_row(f, p, r, ranks[r].type, ranks[r].peak, at, columns, name_w,
			    (double)(CHART_W - name_w) / columns);
	}
	fprintf(f, "<text class=\"xlabel\" x=\"%d\" y=\"%d\">0 s</text><text class=\"xlabel "
		"end\" x=\"%d\" y=\"%d\">%.1f s</text></svg>\n", name_w, (int)rows * HEATMAP_ROW + 13,
		CHART_W, (int)rows * HEATMAP_ROW + 13, p->points[p->point_count - 1].elapsed_ns / 1e9);
	free(ranks);
	free(at);
}
