// SPDX-License-Identifier: GPL-2.0
/* Frames: resolves --frame/--stage symbols, attaches bpf/frames.bpf.c, drains its ring
 * buffer; and the walk over outstanding allocations for --leak-age. */
#include "probes/frames/frame_tracer.h"

#include <errno.h>
#include <libiberty/demangle.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "frames.skel.h"
#include "model/exit_codes.h"
#include "probes/alloc/alloc_tracer.h"
#include "target/procmaps.h"

struct frame_tracer {
	struct frames_bpf *skel;
	struct symtab_cache *cache;
	const struct analysis_options *opts;
	struct ring_buffer *rb;
	struct bpf_link *links[64];
	size_t link_count;
	frame_cb cb;
	void *cb_ctx;
	bool python_counters;        /* --python=events: objects per frame */
	bool native_known;           /* the malloc family is probed (not --light) */
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
	if (!err)
		err = frames_bpf__load(t->skel);
	if (err) {
		fprintf(stderr, "memtrace-bpf: loading the frames BPF program failed: %s\n",
			strerror(-err));
		frame_tracer__destroy(t);
		return EXIT_BPF_LOAD;
	}
	*out = t;
	return EXIT_OK;
}

static bool lib_matches(const char *path, const char *lib)
{
	const char *base = strrchr(path, '/');

	return !lib || strstr(base ? base + 1 : path, lib);
}

/* "ns::Cls::read(int)" or "ns::Cls::read" against a mangled symbol name. */
static bool demangled_matches(const char *mangled, const char *want)
{
	char *d;
	bool match = false;

	if (mangled[0] != '_' || mangled[1] != 'Z')
		return false;
	d = cplus_demangle(mangled, DMGL_PARAMS | DMGL_ANSI);
	if (!d)
		return false;
	if (!strcmp(d, want)) {
		match = true;
	} else if (!strchr(want, '(')) {
		char *paren = strchr(d, '(');

		match = paren && (size_t)(paren - d) == strlen(want) && !strncmp(d, want, paren - d);
	}
	free(d);
	return match;
}

static const struct elf_symbol *find_symbol(const struct elf_symtab *tab, const char *name)
{
	const struct elf_symbol *sym = elf_symtab__find(tab, name, true);

	if (sym)
		return sym;
	for (size_t i = 0; i < tab->count; i++) {
		const struct elf_symbol *s = &tab->by_name[i];

		if (s->is_function && s->vaddr && demangled_matches(s->name, name))
			return s;
	}
	return NULL;
}

int frame_symbol__resolve(struct symtab_cache *cache, const char *const *paths, size_t count,
			  const char *symbol, const char *lib, char *path, size_t path_size,
			  uint64_t *offset)
{
	for (size_t i = 0; i < count; i++) {
		const struct elf_symtab *tab;
		const struct elf_symbol *sym;

		if (!paths[i] || !lib_matches(paths[i], lib))
			continue;
		tab = symtab_cache__get(cache, paths[i], NULL);
		if (!tab || !(sym = find_symbol(tab, symbol)))
			continue;
		if (!elf_symtab__vaddr_to_offset(tab, sym->vaddr, offset))
			continue;
		snprintf(path, path_size, "%s", paths[i]);
		return 0;
	}
	return -ENOENT;
}

static int attach_symbol(struct frame_tracer *t, struct bpf_program *prog, pid_t pid,
			 char **paths, size_t count, const char *symbol, const char *lib,
			 uint64_t cookie)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uopts, .bpf_cookie = cookie);
	char path[4096];
	uint64_t offset;
	struct bpf_link *link;

	if (frame_symbol__resolve(t->cache, (const char *const *)paths, count, symbol, lib, path,
				  sizeof(path), &offset)) {
		fprintf(stderr, "memtrace-bpf: function %s%s%s not found in the files PID %d maps\n",
			symbol, lib ? " in " : "", lib ? lib : "", pid);
		return EXIT_ATTACH;
	}
	if (t->link_count == sizeof(t->links) / sizeof(t->links[0]))
		return EXIT_ATTACH;
	link = bpf_program__attach_uprobe_opts(prog, pid, path, offset, &uopts);
	if (!link) {
		fprintf(stderr, "memtrace-bpf: cannot attach to %s in %s: %s\n", symbol, path,
			strerror(errno));
		return EXIT_ATTACH;
	}
	t->links[t->link_count++] = link;
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
		return err == -ENOENT ? EXIT_NO_PROCESS : EXIT_INTERNAL;
	}
	code = attach_symbol(t, t->skel->progs.frame_end, pid, paths, count,
			     t->opts->frame_symbol, t->opts->frame_lib, 0);
	for (int k = 0; !code && k < t->opts->stage_count; k++)
		code = attach_symbol(t, t->skel->progs.stage_begin, pid, paths, count,
				     t->opts->stage_symbols[k], NULL, (uint64_t)k);
	file_paths__free(paths, count);
	return code;
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

void frame_tracer__destroy(struct frame_tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	for (size_t i = 0; i < t->link_count; i++)
		bpf_link__destroy(t->links[i]);
	frames_bpf__destroy(t->skel);
	free(t);
}
