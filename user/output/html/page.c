// SPDX-License-Identifier: GPL-2.0
/* The page: its style and script inline (nothing fetched when it is viewed), a section per
 * process, escaped text and the tables. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/html/html.h"
#include "util/grow.h"

static const char style[] =
"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}"
"h1{font-size:1.4em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}"
"h3{font-size:1.05em;margin:1.2em 0 .3em}"
"table{border-collapse:collapse;margin:.3em 0;font-size:13px}"
"td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}"
"th{background:#f3f3f3}.none{color:#777}.facts span{margin-right:1.5em}"
"svg text{font:11px monospace}.title{font-weight:bold}.ylabel{text-anchor:end}"
".xlabel.end{text-anchor:end}.axis{stroke:#999}.line{fill:none;stroke:#2a6fdb;stroke-width:1.5}"
".dot{fill:#2a6fdb}.mark{stroke-width:1.5}.mark.spike{stroke:#d62728}.mark.leak{stroke:#ff7f0e}"
".mark.gc{stroke:#2ca02c}.mark.drop{stroke:#9467bd}.mark.budget{stroke:#8c564b}"
".mark.drift{stroke:#e377c2}.legend .k{display:inline-block;width:12px;height:3px;"
"margin:0 4px 3px 10px}.k.spike{background:#d62728}.k.leak{background:#ff7f0e}"
".k.gc{background:#2ca02c}.k.drop{background:#9467bd}.k.budget{background:#8c564b}"
".k.drift{background:#e377c2}.bar{fill:#7f9fcf}.bar.dropped{fill:#d62728}"
".tname{text-anchor:end}.spike-label{fill:#d62728}.flame g{cursor:pointer}.flame rect{stroke:#fff;stroke-width:.5}"
".flame .root rect{fill:#bbb}.flame .native rect{fill:#f0a05a}.flame .py rect{fill:#6fb3e0}"
".flame .match rect{fill:#e040fb}.flame .dim rect{opacity:.55}.flame text{pointer-events:none}"
".flame-tools{margin:.4em 0}.matched{color:#555}";

/* Zoom (click a box; "reset zoom") and search (a regular expression) for each flame graph;
 * labels cut to the width of their box. */
static const char script[] =
"(function(){'use strict';var W=1200;"
"function fit(g){var r=g.querySelector('rect'),t=g.querySelector('text'),"
"n=Math.floor((+r.getAttribute('width')-4)/6.6),s=g.dataset.name;"
"t.textContent=n<3?'':s.length>n?s.slice(0,n-1)+'\\u2026':s;}"
"function zoom(svg,x0,w0,d0){svg.querySelectorAll('g.fn').forEach(function(g){"
"var x=+g.dataset.x,w=+g.dataset.w,d=+g.dataset.d,e=1e-9,show,nx,nw;"
"if(d<d0){show=x<=x0+e&&x+w>=x0+w0-e;nx=0;nw=1;}"
"else{show=x>=x0-e&&x+w<=x0+w0+e;nx=(x-x0)/w0;nw=w/w0;}"
"g.style.display=show?'':'none';g.classList.toggle('dim',d<d0);if(!show)return;"
"var r=g.querySelector('rect'),t=g.querySelector('text');r.setAttribute('x',nx*W);"
"r.setAttribute('width',nw*W);t.setAttribute('x',nx*W+3);fit(g);});}"
"function search(svg,text,out){var re=null,spans=[];"
"if(text){try{re=new RegExp(text);}catch(err){out.textContent='not a regular expression';return;}}"
"svg.querySelectorAll('g.fn').forEach(function(g){var m=!!re&&re.test(g.dataset.name);"
"g.classList.toggle('match',m);if(m)spans.push([+g.dataset.x,+g.dataset.x+(+g.dataset.w)]);});"
"spans.sort(function(a,b){return a[0]-b[0];});var sum=0,end=-1;"
"spans.forEach(function(s){if(s[0]>=end){sum+=s[1]-s[0];end=s[1];}"
"else if(s[1]>end){sum+=s[1]-end;end=s[1];}});"
"out.textContent=re?'matched: '+(sum*100).toFixed(2)+'% of live bytes':'';}"
"document.querySelectorAll('svg.flame').forEach(function(svg){"
"svg.querySelectorAll('g.fn').forEach(function(g){"
"g.dataset.name=g.querySelector('text').textContent;fit(g);"
"g.addEventListener('click',function(){zoom(svg,+g.dataset.x,+g.dataset.w,+g.dataset.d);});});});"
"document.querySelectorAll('button[data-reset]').forEach(function(b){"
"b.addEventListener('click',function(){zoom(document.getElementById(b.dataset.reset),0,1,0);});});"
"document.querySelectorAll('input[data-flame]').forEach(function(i){"
"var out=document.getElementById(i.id.replace('search','matched'));"
"i.addEventListener('input',function(){search(document.getElementById(i.dataset.flame),"
"i.value,out);});});})();";

void html_escape(FILE *f, const char *text)
{
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		switch (*c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (*c >= 0x20 && *c != 0x7f)
				fputc(*c, f);
		}
	}
}

void html_bytes(char *buf, size_t size, double bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes < 0 ? -bytes : bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%s%.1f %s" : "%s%.0f %s", bytes < 0 ? "-" : "", v, units[u]);
}

int html_table__add_row(struct html_table *t, const char *const *cells)
{
	size_t need = (t->row_count + 1) * t->column_count;

	while (t->cap < need) {
		size_t cap = t->cap ? t->cap * 2 : 16 * t->column_count;
		char **more = realloc(t->cells, cap * sizeof(*more));

		if (!more)
			return -1;
		t->cells = more;
		t->cap = cap;
	}
	for (size_t c = 0; c < t->column_count; c++) {
		char **cell = &t->cells[t->row_count * t->column_count + c];

		if (!(*cell = strdup(cells[c] ? cells[c] : ""))) {
			while (c-- > 0)
				free(t->cells[t->row_count * t->column_count + c]);
			return -1;
		}
	}
	t->row_count++;
	return 0;
}

void html_table__free(struct html_table *t)
{
	for (size_t i = 0; i < t->row_count * t->column_count; i++)
		free(t->cells[i]);
	free(t->cells);
}

static void write_table(FILE *f, const struct html_table *t)
{
	fprintf(f, "<h3>%s</h3>\n", t->title);
	if (!t->row_count) {
		fputs("<p class=\"none\">none</p>\n", f);
		return;
	}
	fprintf(f, "<table class=\"%s\"><tr>", t->title);
	for (size_t c = 0; c < t->column_count; c++) {
		fputs("<th>", f);
		html_escape(f, t->columns[c]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t r = 0; r < t->row_count; r++) {
		fputs("<tr>", f);
		for (size_t c = 0; c < t->column_count; c++) {
			fputs("<td>", f);
			html_escape(f, t->cells[r * t->column_count + c]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void write_facts(FILE *f, const struct html_process *p)
{
	char live[48], peak[48], rss[48];

	html_bytes(live, sizeof(live), (double)p->native_live_bytes);
	html_bytes(peak, sizeof(peak), (double)p->peak_live_bytes);
	html_bytes(rss, sizeof(rss), (double)p->rss_bytes);
	fprintf(f, "<p class=\"facts\"><span>traced %.1f s</span>", p->elapsed_ns / 1e9);
	if (p->summarized && p->native_known)
		fprintf(f, "<span>live at the end: %s</span><span>peak live: %s</span>", live, peak);
	if (p->rss_bytes)
		fprintf(f, "<span>RSS: %s</span>", rss);
	if (p->python_version[0]) {
		fputs("<span>Python ", f);
		html_escape(f, p->python_version);
		fputs("</span>", f);
	}
	fputs("</p>\n", f);
}

static void write_process(FILE *f, struct html_process *p, int id)
{
	fputs("<section class=\"process\"><h2>", f);
	html_escape(f, p->comm);
	fprintf(f, " (PID %d)</h2>\n", (int)p->pid);
	write_facts(f, p);
	fputs("<h3>Timeline</h3>\n", f);
	charts__timeline(f, p);
	if (p->frame_count) {
		fputs("<h3>Frames</h3>\n", f);
		charts__frames(f, p);
	}
	fputs("<h3>Python types (live objects over time, each row against its peak)</h3>\n", f);
	charts__heatmap(f, p);
	fputs("<h3>Live bytes by stack (click to zoom)</h3>\n", f);
	flame__write(f, &p->flame, id);
	write_table(f, &p->leaks);
	write_table(f, &p->drift);
	write_table(f, &p->budgets);
	write_table(f, &p->spikes);
	fputs("</section>\n", f);
}

void page__write(FILE *f, struct html_process *const *procs, size_t count)
{
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>memtrace-bpf report</title>\n<style>%s</style></head>\n<body>\n"
		"<h1>memtrace-bpf report</h1>\n", style);
	if (!count)
		fputs("<p class=\"none\">No process was reported.</p>\n", f);
	for (size_t i = 0; i < count; i++)
		write_process(f, procs[i], (int)i);
	fprintf(f, "<script>%s</script>\n</body></html>\n", script);
}
