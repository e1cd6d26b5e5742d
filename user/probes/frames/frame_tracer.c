// SPDX-License-Identifier: GPL-2.0
/* Frames: resolves --frame/--stage symbols, attaches bpf/frames.bpf.c, drains its ring
 * buffer; and the walk over outstanding allocations for --leak-age. */
#include "probes/frames/frame_tracer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "frames.skel.h"
#include "model/exit_codes.h"
#include "probes/alloc/alloc_tracer.h"
#include "probes/frames/probe_cost.h"
#include "probes/probe_links.h"
#include "target/procmaps.h"
#include "target/symbol_lookup.h"

struct frame_tracer {
	struct frames_bpf *skel;
	struct symtab_cache *cache;
	const struct analysis_options *opts;
	struct ring_buffer *rb;
	struct probe_links links;    /* per traced process */
	frame_cb cb;
	void *cb_ctx;
	bool python_counters;        /* --python=events: objects per frame */
	bool native_known;           /* the malloc family is probed (not --light) */
	struct probe_cost cost;      /* of one hit, measured at open */
};

int frame_tracer__open(struct frame_tracer **out, const struct analysis_options *opts,
		       struct alloc_tracer *alloc, int py_counters_fd, struct symtab_cache *cache)
{
	struct frame_tracer *t;
	int err, ncpus = libbpf_num_possible_cpus();

	*out = NULL;
	if (!opts->frame_symbol)
		return EXIT_OK;
	t = calloc(1, sizeof(*t));
	if (!t)
		return EXIT_INTERNAL;
	t->cache = cache;
	t->opts = opts;
	t->native_known = alloc_tracer__allocator_probed(alloc);
	if (!t->native_known)
		fprintf(stderr, "memtrace-bpf: warning: --light does not probe malloc: the frames' "
			"allocation figures are unknown (null in JSON)\n");
	t->skel = frames_bpf__open();
	if (!t->skel || ncpus <= 0) {
		fprintf(stderr, "memtrace-bpf: cannot open the frames BPF object: %s\n",
			strerror(errno));
		frame_tracer__destroy(t);
		return EXIT_INTERNAL;
	}
	t->skel->rodata->nr_cpus = ncpus < FRAMES_MAX_CPUS ? ncpus : FRAMES_MAX_CPUS;
	t->skel->rodata->stage_count = opts->stage_count;
	t->python_counters = py_counters_fd >= 0;
	t->skel->rodata->python_counters = t->python_counters;
	err = bpf_map__reuse_fd(t->skel->maps.native_stats,
				alloc_tracer__map_fd(alloc, "native_stats"));
	if (!err && t->python_counters)
		err = bpf_map__reuse_fd(t->skel->maps.py_counters, py_counters_fd);
	if (!err) {
		probe_links__prepare(t->skel->obj);
		err = frames_bpf__load(t->skel);
	}
	if (err) {
		fprintf(stderr, "memtrace-bpf: loading the frames BPF program failed: %s\n",
			strerror(-err));
		frame_tracer__destroy(t);
		return EXIT_BPF_LOAD;
	}
	probe_cost__measure(t->skel->progs.cost_entry, t->skel->progs.cost_return, &t->cost);
	if (!t->cost.known)
		fprintf(stderr, "memtrace-bpf: warning: the cost of a probe hit could not be "
			"measured: each frame's tracer time is unknown (null in JSON)\n");
	*out = t;
	return EXIT_OK;
}

static int attach_symbol(struct frame_tracer *t, struct bpf_program *prog, pid_t pid,
			 char **paths, size_t count, const char *symbol, const char *lib,
			 uint64_t cookie)
{
	char path[4096];
	uint64_t offset;
	int err;

	if (symbol_lookup__resolve(t->cache, (const char *const *)paths, count, symbol, lib, path,
				   sizeof(path), &offset)) {
		fprintf(stderr, "memtrace-bpf: function %s%s%s not found in the files PID %d maps\n",
			symbol, lib ? " in " : "", lib ? lib : "", pid);
		return EXIT_ATTACH;
	}
	err = probe_links__attach(&t->links, prog, pid, path, &offset, &cookie, 1, false);
	if (err) {
		fprintf(stderr, "memtrace-bpf: cannot attach to %s in %s for PID %d: %s\n", symbol,
			path, pid, strerror(-err));
		return err == -ENOMEM ? EXIT_INTERNAL : EXIT_ATTACH;
	}
	return EXIT_OK;
}

int frame_tracer__attach(struct frame_tracer *t, pid_t pid, const char *const *modules)
{
	char **paths = NULL;
	size_t count = 0;
	int code, err;

	if (!t)
		return EXIT_OK;
	err = procmaps__files_to_probe(pid, modules, &paths, &count);
	if (err) {
		fprintf(stderr, "memtrace-bpf: cannot read /proc/%d/maps: %s\n", pid, strerror(-err));
		return err == -ENOENT ? EXIT_NO_PROCESS :
		       err == -EACCES || err == -EPERM ? EXIT_PERMISSION : EXIT_INTERNAL;
	}
	code = attach_symbol(t, t->skel->progs.frame_end, pid, paths, count,
			     t->opts->frame_symbol, t->opts->frame_lib, 0);
	for (int k = 0; !code && k < t->opts->stage_count; k++)
		code = attach_symbol(t, t->skel->progs.stage_begin, pid, paths, count,
				     t->opts->stage_symbols[k], NULL, (uint64_t)k);
	file_paths__free(paths, count);
	return code;
}

/* What the probes added to the frame's run time: each hit of an entry probe (the malloc family,
 * free, the Python object probes, this frame's own and its stages') and of the malloc family's
 * return probe, at the cost measured at open. */
static uint64_t tracer_ns(const struct frame_tracer *t, const struct frame_event *ev)
{
	double entries = 1, returns = 0;

	if (t->native_known) {
		entries += (double)(ev->counts.allocs + ev->counts.frees);
		returns += (double)ev->counts.allocs;
	}
	if (t->python_counters)
		entries += (double)(ev->counts.py_allocs + ev->counts.py_frees);
	for (int k = 0; k < t->opts->stage_count && k < FRAMES_MAX_STAGES; k++)
		entries += (double)ev->stages[k].hits;
	return (uint64_t)(entries * t->cost.entry_ns + returns * t->cost.return_ns);
}

static int on_frame_event(void *ctx, void *data, size_t size)
{
	struct frame_tracer *t = ctx;
	const struct frame_event *ev = data;
	struct frame_report f = { 0 };

	if (size < sizeof(*ev))
		return 0;
	f.pid = (pid_t)ev->tgid;
	f.seq = ev->seq;
	f.start_ns = ev->start_ns;
	f.end_ns = ev->end_ns;
	f.native_known = t->native_known;
	f.allocs = ev->counts.allocs;
	f.frees = ev->counts.frees;
	f.bytes_allocated = ev->counts.bytes_allocated;
	f.bytes_freed = ev->counts.bytes_freed;
	f.live_bytes = ev->live_bytes;
	f.live_allocs = ev->live_allocs;
	f.lost = ev->lost_before;
	f.objects_known = t->python_counters;
	f.objects_created = ev->counts.py_allocs;
	f.objects_freed = ev->counts.py_frees;
	f.stage_count = t->opts->stage_count;
	f.tracer_known = t->cost.known;
	f.tracer_ns = tracer_ns(t, ev);
	for (int k = 0; k < f.stage_count; k++) {
		const struct frame_stage *s = &ev->stages[k];

		f.stages[k] = (struct frame_stage_report){
			.name = t->opts->stage_names[k],
			.allocs = s->counts.allocs, .frees = s->counts.frees,
			.bytes_allocated = s->counts.bytes_allocated,
			.bytes_freed = s->counts.bytes_freed,
			.duration_ns = s->duration_ns, .hits = s->hits,
		};
	}
	t->cb(t->cb_ctx, &f);
	return 0;
}

void frame_tracer__poll(struct frame_tracer *t, frame_cb cb, void *ctx)
{
	if (!t)
		return;
	t->cb = cb;
	t->cb_ctx = ctx;
	if (!t->rb) {
		t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.frames), on_frame_event, t, NULL);
		if (!t->rb)
			return;
	}
	ring_buffer__consume(t->rb);
}

void frame_tracer__release(struct frame_tracer *t, pid_t pid)
{
	__u32 tgid = (__u32)pid;

	if (!t)
		return;
	probe_links__release(&t->links, pid);
	bpf_map__delete_elem(t->skel->maps.frame_states, &tgid, sizeof(tgid), 0);
}

void frame_tracer__destroy(struct frame_tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	probe_links__destroy(&t->links);
	frames_bpf__destroy(t->skel);
	free(t);
}
