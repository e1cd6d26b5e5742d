// SPDX-License-Identifier: GPL-2.0
#include "probes/scope/scope_tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/exit_codes.h"
#include "scope.h"
#include "scope.skel.h"

struct scope_tracer {
	struct scope_bpf *skel;
	struct ring_buffer *rb;
	scope_process_fn fn;
	void *ctx;
	int ncpus;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct scope_tracer *t = ctx;
	const struct scope_event *e = data;

	if (size >= sizeof(*e) && t->fn)
		t->fn(t->ctx, (pid_t)e->tgid, e->kind == SCOPE_EXEC);
	return 0;
}

static int fail(struct scope_tracer *t, const char *what, int code)
{
	fprintf(stderr, "memtrace-bpf: cannot %s the scope's fork/exec tracepoints: %s\n", what,
		strerror(errno));
	scope_tracer__destroy(t);
	return code;
}

int scope_tracer__open(struct scope_tracer **out, bool whole_host, const uint64_t *cgroup_ids,
		       size_t count)
{
	struct scope_tracer *t = calloc(1, sizeof(*t));
	__u8 one = 1;

	*out = NULL;
	if (!t)
		return EXIT_INTERNAL;
	t->ncpus = libbpf_num_possible_cpus();
	t->skel = scope_bpf__open();
	if (!t->skel)
		return fail(t, "open", EXIT_INTERNAL);
	t->skel->rodata->whole_host = whole_host;
	if (scope_bpf__load(t->skel))
		return fail(t, "load", EXIT_BPF_LOAD);
	for (size_t i = 0; i < count; i++)
		if (bpf_map__update_elem(t->skel->maps.scope_cgroups, &cgroup_ids[i],
					 sizeof(cgroup_ids[i]), &one, sizeof(one), BPF_ANY))
			return fail(t, "fill", EXIT_INTERNAL);
	if (scope_bpf__attach(t->skel))
		return fail(t, "attach", EXIT_ATTACH);
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.scope_events), on_event, t, NULL);
	if (!t->rb)
		return fail(t, "read", EXIT_INTERNAL);
	*out = t;
	return EXIT_OK;
}

void scope_tracer__drain(struct scope_tracer *t, scope_process_fn fn, void *ctx)
{
	t->fn = fn;
	t->ctx = ctx;
	ring_buffer__consume(t->rb);
	t->fn = NULL;
}

uint64_t scope_tracer__dropped(const struct scope_tracer *t)
{
	__u64 per_cpu[t->ncpus > 0 ? t->ncpus : 1], sum = 0;
	__u32 zero = 0;

	if (bpf_map__lookup_elem(t->skel->maps.scope_dropped, &zero, sizeof(zero), per_cpu,
				 sizeof(per_cpu), 0))
		return 0;
	for (int c = 0; c < t->ncpus; c++)
		sum += per_cpu[c];
	return sum;
}

void scope_tracer__destroy(struct scope_tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	scope_bpf__destroy(t->skel);
	free(t);
}
