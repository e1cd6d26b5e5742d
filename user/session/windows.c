// SPDX-License-Identifier: GPL-2.0
#include "session/windows.h"

#include <stdio.h>
#include <stdlib.h>

/* The stacks judged at a close: the top ones by live bytes. */
#define WINDOW_STACKS 64

void session_windows__init(struct traced_process *p, unsigned int budget_pct, uint64_t now_ns)
{
	const struct exact_window_opts opts = {
		.budget = budget_pct / 100.0, .window_ns = EXACT_WINDOW_NS,
		.growth_bytes = WINDOW_GROWTH_TRIGGER,
	};

	exact_windows__init(&p->windows, &opts, now_ns);
}

void session_windows__tick(struct alloc_tracer *t, struct traced_process *p, uint64_t now_ns,
			   uint64_t rss_bytes, bool close_all)
{
	enum exact_window_action action;

	if (close_all) {
		if (!p->windows.open)
			return;
		/* Its length reached or not: the tick below closes it. */
		p->windows.opened_ns = now_ns > p->windows.opts.window_ns ?
				       now_ns - p->windows.opts.window_ns : 0;
	}
	if (p->forget_again_since && !p->windows.open) {
		alloc_tracer__window_close(t, p->pid, p->forget_again_since);
		p->forget_again_since = 0;
	}
	action = exact_windows__tick(&p->windows, now_ns, rss_bytes);
	if (action == WINDOW_OPEN && alloc_tracer__window_open(t, p->pid))
		fprintf(stderr, "memtrace-bpf: warning: PID %d: cannot open an exact window\n",
			p->pid);
	if (action != WINDOW_CLOSE)
		return;
	alloc_tracer__window_close(t, p->pid, now_ns - EXACT_WINDOW_YOUNG_NS);
	exact_windows__closed_at(&p->windows, rss_bytes);
	p->window_closed = true;
	p->forget_again_since = now_ns - EXACT_WINDOW_YOUNG_NS;
}

struct judge_ctx {
	struct analysis_runner *a;
	struct traced_process *p;
	uint64_t elapsed_ns;
};

static void on_window_leak(void *ctx, int stack_id, uint64_t grown, uint64_t live,
			   unsigned int windows)
{
	struct judge_ctx *j = ctx;
	/* What a window keeps comes from its seconds before the young ones. */
	double watched_s = (EXACT_WINDOW_NS - EXACT_WINDOW_YOUNG_NS) / 1e9;

	analysis_runner__window_leak(j->a, j->p->analysis, stack_id, (double)grown / watched_s,
				     (double)live, windows, j->elapsed_ns);
}

void session_windows__judge(struct analysis_runner *a, const struct stack_snapshot *snap,
			    struct traced_process *p, uint64_t now_ns)
{
	struct judge_ctx j = { a, p, now_ns - p->attach_ns };
	struct window_stack_live live[WINDOW_STACKS];
	struct stack_report *stacks = NULL;
	size_t count = 0;

	if (!p->window_closed)
		return;
	p->window_closed = false;
	if (stack_walk__interval(snap, p->pid, WINDOW_STACKS, &p->window_marks, &stacks, &count))
		return;
	for (size_t i = 0; i < count && i < WINDOW_STACKS; i++)
		live[i] = (struct window_stack_live){ stacks[i].stack_id, stacks[i].live_bytes };
	window_leaks__close(&p->window_leaks, live, count < WINDOW_STACKS ? count : WINDOW_STACKS,
			    WINDOW_LEAK_MIN_BYTES, on_window_leak, &j);
	free(stacks);
}

void session_windows__report(const struct traced_process *p, uint64_t now_ns,
			     struct process_report *r)
{
	r->native_windowed = true;
	r->exact_share = exact_windows__share(&p->windows, now_ns);
	r->exact_windows = p->windows.count;
	r->window_open = p->windows.open;
}
