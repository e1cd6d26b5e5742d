// SPDX-License-Identifier: GPL-2.0
#include "probes/oom/oom_tracer.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oom.h"
#include "oom.skel.h"
#include "probes/probe_links.h"
#include "target/procinfo.h"

struct oom_tracer {
	struct oom_bpf *skel;
	struct ring_buffer *rb;
	oom_victim_fn fn;
	void *ctx;
	/* The tracepoint's link: the kernel waits for grace periods (~0.3 s) to remove the last
	 * perf event of a tracepoint, so it goes in the background with the others. */
	struct probe_links links;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct oom_tracer *t = ctx;
	const struct oom_victim_event *e = data;
	struct oom_victim v;

	if (size < sizeof(*e) || !t->fn)
		return 0;
	v = (struct oom_victim){
		/* The killer marks one thread of its victim: the process is its thread group. */
		.pid = procinfo__tgid(e->pid),
		.total_vm_bytes = e->total_vm_kb << 10, .anon_rss_bytes = e->anon_rss_kb << 10,
		.file_rss_bytes = e->file_rss_kb << 10, .shmem_rss_bytes = e->shmem_rss_kb << 10,
		.oom_score_adj = e->oom_score_adj, .sizes_known = e->total_vm_kb != 0,
	};
	if (v.pid <= 0)
		v.pid = e->pid;
	t->fn(t->ctx, &v);
	return 0;
}

static int attach(struct oom_tracer *t)
{
	struct bpf_link *link = bpf_program__attach(t->skel->progs.oom_mark_victim);

	return link ? probe_links__keep(&t->links, 0, link) : -1;
}

struct oom_tracer *oom_tracer__open(void)
{
	struct oom_tracer *t = calloc(1, sizeof(*t));
	const char *step = "open";

	if (!t)
		return NULL;
	t->skel = oom_bpf__open();
	if (t->skel && !(step = "load", oom_bpf__load(t->skel)) &&
	    !(step = "attach", attach(t)) &&
	    (step = "read", t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.oom_events),
						    on_event, t, NULL)))
		return t;
	fprintf(stderr, "memtrace-bpf: warning: no OOM events: cannot %s the oom/mark_victim "
		"tracepoint: %s\n", step, strerror(errno));
	oom_tracer__destroy(t);
	return NULL;
}

void oom_tracer__wait(struct oom_tracer *t, int timeout_ms, oom_victim_fn fn, void *ctx)
{
	t->fn = fn;
	t->ctx = ctx;
	ring_buffer__poll(t->rb, timeout_ms);
	t->fn = NULL;
}

void oom_tracer__destroy(struct oom_tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	probe_links__destroy(&t->links);
	oom_bpf__destroy(t->skel);
	free(t);
}
