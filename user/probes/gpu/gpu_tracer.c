// SPDX-License-Identifier: GPL-2.0
/* GPU memory: loads bpf/gpu.bpf.c and attaches it, per process, to the CUDA libraries that
 * the process maps, as they appear (a library loaded later is probed at the next poll). */
#include "probes/gpu/gpu_tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"
#include "gpu.skel.h"
#include "probes/map_batch.h"
#include "probes/probe_links.h"
#include "target/cuda_libraries.h"
#include "target/usdt.h"
#include "util/grow.h"

enum gpu_role {
	ROLE_ALLOC, ROLE_FREE, ROLE_CREATE, ROLE_SET_DEVICE, ROLE_MAP,
	ROLE_CONTEXT_RETAIN, ROLE_CONTEXT_CREATE, ROLE_CONTEXT_CURRENT,
};

struct gpu_function {
	const char *name;
	enum gpu_role role;
	enum gpu_memory memory;
	bool handle;                 /* a free whose argument is a cuMemCreate handle */
};

/* The runtime's functions (libcudart.so.*). _ptsz: the per-thread default stream builds. */
static const struct gpu_function runtime_functions[] = {
	{ "cudaFree", ROLE_FREE, GPU_MEMORY_DEVICE, false },
	{ "cudaFreeAsync", ROLE_FREE, GPU_MEMORY_DEVICE, false },
	{ "cudaFreeAsync_ptsz", ROLE_FREE, GPU_MEMORY_DEVICE, false },
	{ "cudaFreeHost", ROLE_FREE, GPU_MEMORY_HOST, false },
	{ "cudaMalloc", ROLE_ALLOC, GPU_MEMORY_DEVICE, false },
	{ "cudaMallocAsync", ROLE_ALLOC, GPU_MEMORY_DEVICE, false },
	{ "cudaMallocAsync_ptsz", ROLE_ALLOC, GPU_MEMORY_DEVICE, false },
	{ "cudaMallocManaged", ROLE_ALLOC, GPU_MEMORY_MANAGED, false },
	{ "cudaMallocHost", ROLE_ALLOC, GPU_MEMORY_HOST, false },
	{ "cudaSetDevice", ROLE_SET_DEVICE, GPU_MEMORY_DEVICE, false },
};

/* The driver's (libcuda.so.1): the _v2 names are what cuda.h's macros call. */
static const struct gpu_function driver_functions[] = {
	{ "cuMemFree_v2", ROLE_FREE, GPU_MEMORY_DEVICE, false },
	{ "cuMemFreeAsync", ROLE_FREE, GPU_MEMORY_DEVICE, false },
	{ "cuMemFreeAsync_ptsz", ROLE_FREE, GPU_MEMORY_DEVICE, false },
	{ "cuMemFreeHost", ROLE_FREE, GPU_MEMORY_HOST, false },
	{ "cuMemRelease", ROLE_FREE, GPU_MEMORY_DEVICE, true },
	{ "cuMemAlloc_v2", ROLE_ALLOC, GPU_MEMORY_DEVICE, false },
	{ "cuMemAllocAsync", ROLE_ALLOC, GPU_MEMORY_DEVICE, false },
	{ "cuMemAllocAsync_ptsz", ROLE_ALLOC, GPU_MEMORY_DEVICE, false },
	{ "cuMemAllocManaged", ROLE_ALLOC, GPU_MEMORY_MANAGED, false },
	{ "cuMemAllocHost_v2", ROLE_ALLOC, GPU_MEMORY_HOST, false },
	{ "cuMemCreate", ROLE_CREATE, GPU_MEMORY_DEVICE, false },
	{ "cuMemMap", ROLE_MAP, GPU_MEMORY_DEVICE, false },
	/* The thread's device where the driver is used without the runtime's cudaSetDevice
	 * (the driver API, or a program linked with the static runtime). */
	{ "cuDevicePrimaryCtxRetain", ROLE_CONTEXT_RETAIN, GPU_MEMORY_DEVICE, false },
	{ "cuCtxCreate_v2", ROLE_CONTEXT_CREATE, GPU_MEMORY_DEVICE, false },
	{ "cuCtxSetCurrent", ROLE_CONTEXT_CURRENT, GPU_MEMORY_DEVICE, false },
	{ "cuCtxPushCurrent_v2", ROLE_CONTEXT_CURRENT, GPU_MEMORY_DEVICE, false },
};

#define MAX_FUNCTIONS 20

struct gpu_process {
	pid_t pid;
	struct gpu_report report;
	char **files;                /* probed, as mapped */
	size_t file_count, file_capacity;
};

struct gpu_tracer {
	struct gpu_bpf *skel;
	struct symtab_cache *cache;
	struct probe_links links;
	struct gpu_process *procs;
	size_t proc_count, proc_capacity;
};

int gpu_tracer__open(struct gpu_tracer **out, const struct gpu_tracer_opts *opts,
		     struct symtab_cache *cache)
{
	struct gpu_tracer *t = calloc(1, sizeof(*t));
	struct gpu_bpf *skel;
	int err;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->cache = cache;
	skel = gpu_bpf__open();
	if (!skel) {
		err = -errno;
		free(t);
		return err ? err : -EINVAL;
	}
	skel->rodata->record_stacks = opts->stacks;
	/* Up to 8 devices per process (a DGX node's) at --max-processes. */
	bpf_map__set_max_entries(skel->maps.gpu_stats, opts->max_processes * 8);
	probe_links__prepare(skel->obj);
	if ((opts->stacks_fd >= 0 && bpf_map__reuse_fd(skel->maps.stacks, opts->stacks_fd)) ||
	    (opts->py_configs_fd >= 0 &&
	     bpf_map__reuse_fd(skel->maps.py_stack_configs, opts->py_configs_fd)) ||
	    (opts->py_stacks_fd >= 0 && bpf_map__reuse_fd(skel->maps.py_stacks, opts->py_stacks_fd)) ||
	    gpu_bpf__load(skel)) {
		err = -errno;
		gpu_bpf__destroy(skel);
		free(t);
		return err ? err : -EINVAL;
	}
	t->skel = skel;
	*out = t;
	return 0;
}

static struct gpu_process *process_of(struct gpu_tracer *t, pid_t pid, bool add)
{
	for (size_t i = 0; i < t->proc_count; i++)
		if (t->procs[i].pid == pid)
			return &t->procs[i];
	if (!add || grow_for_one((void **)&t->procs, &t->proc_capacity, t->proc_count,
				 sizeof(*t->procs)))
		return NULL;
	t->procs[t->proc_count] = (struct gpu_process){ .pid = pid };
	return &t->procs[t->proc_count++];
}

static bool probed(const struct gpu_process *p, const char *path)
{
	for (size_t i = 0; i < p->file_count; i++)
		if (!strcmp(p->files[i], path))
			return true;
	return false;
}

static bool remember_file(struct gpu_process *p, const char *path)
{
	char *copy = strdup(path);

	if (!copy || grow_for_one((void **)&p->files, &p->file_capacity, p->file_count,
				  sizeof(*p->files))) {
		free(copy);
		return false;
	}
	p->files[p->file_count++] = copy;
	return true;
}

static const struct elf_symbol *exact_function(const struct elf_symtab *tab, const char *name)
{
	const struct elf_symbol *sym = elf_symtab__find(tab, name, true);

	return sym && !strcmp(sym->name, name) ? sym : NULL;
}

/* One program's offsets and cookies in one file. */
struct probe_group {
	struct bpf_program *prog;
	bool retprobe;
	uint64_t offsets[MAX_FUNCTIONS], cookies[MAX_FUNCTIONS];
	size_t count;
};

static void group_add(struct probe_group *g, uint64_t offset, uint64_t cookie)
{
	if (g->count < MAX_FUNCTIONS) {
		g->offsets[g->count] = offset;
		g->cookies[g->count++] = cookie;
	}
}

/* Probes the functions of one CUDA library; returns how many were found, or -errno. */
static int attach_library(struct gpu_tracer *t, pid_t pid, const char *path,
			  const struct elf_symtab *tab, enum gpu_api api,
			  const struct gpu_function *fns, size_t fn_count)
{
	struct gpu_bpf *skel = t->skel;
	/* Frees first, then the returns, then the entries: a call entered before its return
	 * probe existed would never see it. */
	struct probe_group groups[] = {
		{ .prog = skel->progs.gpu_free_enter }, { .prog = skel->progs.gpu_call_exit, .retprobe = true },
		{ .prog = skel->progs.gpu_alloc_enter }, { .prog = skel->progs.gpu_create_enter },
		{ .prog = skel->progs.gpu_set_device }, { .prog = skel->progs.gpu_map_enter },
		{ .prog = skel->progs.gpu_context_exit, .retprobe = true },
		{ .prog = skel->progs.gpu_context_retain_enter },
		{ .prog = skel->progs.gpu_context_create_enter },
		{ .prog = skel->progs.gpu_context_current },
	};
	int found = 0;

	for (size_t i = 0; i < fn_count; i++) {
		const struct gpu_function *fn = &fns[i];
		const struct elf_symbol *sym = exact_function(tab, fn->name);
		uint64_t offset, cookie = GPU_COOKIE(api, fn->memory);

		if (!sym || !elf_symtab__vaddr_to_offset(tab, sym->vaddr, &offset))
			continue;
		found++;
		switch (fn->role) {
		case ROLE_FREE:
			group_add(&groups[0], offset, cookie | (fn->handle ? GPU_COOKIE_HANDLE : 0));
			if (api == GPU_API_RUNTIME)   /* marks the runtime call until it returns */
				group_add(&groups[1], offset, cookie);
			break;
		case ROLE_ALLOC:
			group_add(&groups[1], offset, cookie);
			group_add(&groups[2], offset, cookie);
			break;
		case ROLE_CREATE:
			group_add(&groups[1], offset, cookie);
			group_add(&groups[3], offset, cookie);
			break;
		case ROLE_SET_DEVICE:
			group_add(&groups[4], offset, cookie);
			break;
		case ROLE_MAP:
			group_add(&groups[5], offset, cookie);
			break;
		case ROLE_CONTEXT_RETAIN:
		case ROLE_CONTEXT_CREATE:
			group_add(&groups[6], offset, cookie);
			group_add(&groups[fn->role == ROLE_CONTEXT_RETAIN ? 7 : 8], offset, cookie);
			break;
		case ROLE_CONTEXT_CURRENT:
			group_add(&groups[9], offset, cookie);
			break;
		}
	}
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		int err;

		if (!groups[g].count)
			continue;
		err = probe_links__attach(&t->links, groups[g].prog, pid, path, groups[g].offsets,
					  groups[g].cookies, groups[g].count, groups[g].retprobe);
		if (err) {
			fprintf(stderr, "memtrace-bpf: cannot attach the GPU probes (%s) in %s: %s\n",
				bpf_program__name(groups[g].prog), path, strerror(-err));
			return err;
		}
	}
	return found;
}

static int keep_usdt(struct gpu_tracer *t, struct bpf_program *prog, pid_t pid, const char *path,
		     const char *name)
{
	struct bpf_link *link = bpf_program__attach_usdt(prog, pid, path, "pytorch", name, NULL);

	if (!link)
		return -errno;
	return probe_links__keep(&t->links, pid, link);
}

/* The caching allocator: its USDT probes where the build has them, else its functions. */
static int attach_caching(struct gpu_tracer *t, pid_t pid, const char *path,
			  const struct elf_symtab *tab)
{
	struct gpu_bpf *skel = t->skel;
	const struct elf_symbol *malloc_sym = NULL;
	const struct elf_symbol *free_sym = exact_function(tab, CUDA_CACHING_FREE_SYMBOL);
	struct usdt_probe *probes = NULL;
	int n = usdt_read_probes(path, &probes), err;
	uint64_t malloc_off, free_off;
	bool usdt = n > 0 && usdt_find(probes, n, "pytorch", "malloc") &&
		    usdt_find(probes, n, "pytorch", "free");

	free(probes);
	if (usdt) {
		err = keep_usdt(t, skel->progs.tensor_free_usdt, pid, path, "free");
		if (!err)
			err = keep_usdt(t, skel->progs.tensor_malloc_usdt, pid, path, "malloc");
		return err ? err : 2;
	}
	for (size_t i = 0; i < tab->count && !malloc_sym; i++)
		if (tab->by_name[i].is_function && cuda_is_caching_malloc(tab->by_name[i].name))
			malloc_sym = &tab->by_name[i];
	if (!malloc_sym || !free_sym || !elf_symtab__vaddr_to_offset(tab, malloc_sym->vaddr, &malloc_off) ||
	    !elf_symtab__vaddr_to_offset(tab, free_sym->vaddr, &free_off))
		return 0;
	err = probe_links__attach(&t->links, skel->progs.tensor_free_enter, pid, path, &free_off, NULL, 1,
				  false);
	if (!err)
		err = probe_links__attach(&t->links, skel->progs.tensor_malloc_exit, pid, path, &malloc_off,
					  NULL, 1, true);
	if (!err)
		err = probe_links__attach(&t->links, skel->progs.tensor_malloc_enter, pid, path,
					  &malloc_off, NULL, 1, false);
	if (err)
		fprintf(stderr, "memtrace-bpf: cannot attach the caching allocator probes in %s: %s\n",
			path, strerror(-err));
	return err ? err : 2;
}

/* Probes one file if it is a CUDA library (mapped: its path as /proc/PID/maps shows it; open:
 * where to read it, NULL: through /proc/PID/root); returns 1 if it was probed now. */
static int scan_file(struct gpu_tracer *t, struct gpu_process *p, const char *mapped,
		     const char *open)
{
	enum cuda_layer layer = cuda_library_layer(mapped);
	enum gpu_api api = layer == CUDA_LAYER_RUNTIME ? GPU_API_RUNTIME :
			   layer == CUDA_LAYER_DRIVER ? GPU_API_DRIVER : GPU_API_CACHING;
	const struct elf_symtab *tab;
	char path[4096];
	int found;

	if (layer == CUDA_LAYER_NONE || probed(p, mapped) || !remember_file(p, mapped))
		return 0;
	if (open)
		snprintf(path, sizeof(path), "%s", open);
	else
		process_file_path(p->pid, mapped, path, sizeof(path));
	tab = symtab_cache__get(t->cache, path, NULL);
	if (!tab)
		return 0;
	if (api == GPU_API_RUNTIME)
		found = attach_library(t, p->pid, path, tab, api, runtime_functions,
				       sizeof(runtime_functions) / sizeof(runtime_functions[0]));
	else if (api == GPU_API_DRIVER)
		found = attach_library(t, p->pid, path, tab, api, driver_functions,
				       sizeof(driver_functions) / sizeof(driver_functions[0]));
	else
		found = attach_caching(t, p->pid, path, tab);
	if (found < 0)
		return found;
	if (!found)
		return 0;
	p->report.runtime |= api == GPU_API_RUNTIME;
	p->report.driver |= api == GPU_API_DRIVER;
	p->report.caching |= api == GPU_API_CACHING;
	return 1;
}

int gpu_tracer__scan(struct gpu_tracer *t, pid_t pid, const struct procmaps *maps)
{
	struct gpu_process *p = NULL;
	int probed_now = 0;

	if (!t)
		return 0;
	for (size_t i = 0; i < maps->count; i++) {
		const struct mapping *m = &maps->mappings[i];
		int err;

		if (!m->executable || m->path[0] != '/' || cuda_library_layer(m->path) == CUDA_LAYER_NONE)
			continue;
		if (!p && !(p = process_of(t, pid, true)))
			return -ENOMEM;
		err = scan_file(t, p, m->path, NULL);
		if (err < 0)
			return err;
		probed_now += err;
	}
	return probed_now;
}

int gpu_tracer__attach_files(struct gpu_tracer *t, pid_t pid, char *const *paths, size_t count)
{
	struct gpu_process *p;
	int probed_now = 0;

	if (!t || !(p = process_of(t, pid, true)))
		return t ? -ENOMEM : 0;
	for (size_t i = 0; i < count; i++) {
		int err = scan_file(t, p, paths[i], paths[i]);

		if (err < 0)
			return err;
		probed_now += err;
	}
	return probed_now;
}

/* --- reading ------------------------------------------------------------------------- */

static void clear_devices(struct gpu_tracer *t)
{
	for (size_t i = 0; i < t->proc_count; i++) {
		free(t->procs[i].report.devices);
		t->procs[i].report.devices = NULL;
		t->procs[i].report.device_count = 0;
	}
}

static int add_device(const void *key, const void *value, void *ctx)
{
	const struct gpu_key *k = key;
	const struct gpu_stats *s = value;
	struct gpu_tracer *t = ctx;
	struct gpu_process *p = process_of(t, (pid_t)k->tgid, false);
	struct gpu_device_report *d, *grown;
	size_t n;

	if (!p || !p->file_count)
		return 0;
	n = p->report.device_count;
	grown = realloc(p->report.devices, (n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->report.devices = grown;
	d = &grown[n];
	/* The map holds what was seen since attach; freed blocks of before attach are untracked. */
	*d = (struct gpu_device_report){
		.device = k->device,
		.allocs = s->allocs, .frees = s->frees, .failed_allocs = s->failed_allocs,
		.untracked_frees = s->untracked_frees, .driver_allocs = s->driver_allocs,
		.reserved_bytes = s->bytes_allocated - s->bytes_freed,
		.peak_reserved_bytes = s->peak_bytes,
		.managed_bytes = s->managed_bytes_allocated - s->managed_bytes_freed,
		.host_allocs = s->host_allocs, .host_frees = s->host_frees,
		.host_bytes = s->host_bytes_allocated - s->host_bytes_freed,
		.maps = s->maps, .bytes_mapped = s->bytes_mapped,
		.tensor_allocs = s->tensor_allocs, .tensor_frees = s->tensor_frees,
		.allocated_bytes = s->tensor_bytes_allocated - s->tensor_bytes_freed,
		.peak_allocated_bytes = s->tensor_peak_bytes,
	};
	p->report.device_count = n + 1;
	return 0;
}

static int by_device(const void *a, const void *b)
{
	const struct gpu_device_report *x = a, *y = b;

	return x->device - y->device;
}

int gpu_tracer__collect(struct gpu_tracer *t)
{
	int err;

	if (!t)
		return 0;
	clear_devices(t);
	err = map_batch__for_each(bpf_map__fd(t->skel->maps.gpu_stats), sizeof(struct gpu_key),
				  sizeof(struct gpu_stats), add_device, t);
	for (size_t i = 0; i < t->proc_count; i++)
		if (t->procs[i].report.device_count)   /* qsort's array may not be NULL */
			qsort(t->procs[i].report.devices, t->procs[i].report.device_count,
			      sizeof(struct gpu_device_report), by_device);
	return err;
}

static void free_stacks(struct gpu_report *r)
{
	for (size_t i = 0; i < r->stack_count; i++) {
		struct gpu_stack_report *s = &r->stacks[i];

		for (size_t f = 0; f < s->depth; f++)
			free(s->frames[f]);
		free(s->frames);
		free(s->python.frames);
	}
	free(r->stacks);
	r->stacks = NULL;
	r->stack_count = 0;
}

struct stack_read {
	struct gpu_report *report;
	pid_t pid;
	size_t capacity;
};

static int add_stack(const void *key, const void *value, void *ctx)
{
	const struct gpu_stack_key *k = key;
	const struct gpu_stack_stats *s = value;
	struct stack_read *rd = ctx;
	struct gpu_report *r = rd->report;

	if ((pid_t)k->tgid != rd->pid)
		return 0;
	if (grow_for_one((void **)&r->stacks, &rd->capacity, r->stack_count, sizeof(*r->stacks)))
		return -ENOMEM;
	r->stacks[r->stack_count++] = (struct gpu_stack_report){
		.device = k->device, .tensors = k->tensors, .stack_id = k->stack_id,
		.allocs = s->allocs, .frees = s->frees, .bytes_allocated = s->bytes_allocated,
		.live_bytes = s->bytes_allocated - s->bytes_freed,
	};
	return 0;
}

static int by_live_bytes(const void *a, const void *b)
{
	const struct gpu_stack_report *x = a, *y = b;

	if (x->live_bytes != y->live_bytes)
		return x->live_bytes < y->live_bytes ? 1 : -1;
	if (x->bytes_allocated != y->bytes_allocated)
		return x->bytes_allocated < y->bytes_allocated ? 1 : -1;
	return x->stack_id - y->stack_id;
}

struct gpu_report *gpu_tracer__report(struct gpu_tracer *t, pid_t pid, bool stacks)
{
	struct gpu_process *p = t ? process_of(t, pid, false) : NULL;
	struct stack_read rd;

	if (!p || !(p->report.runtime || p->report.driver || p->report.caching))
		return NULL;
	free_stacks(&p->report);
	if (stacks) {
		rd = (struct stack_read){ .report = &p->report, .pid = pid };
		map_batch__for_each(bpf_map__fd(t->skel->maps.gpu_stack_stats),
				    sizeof(struct gpu_stack_key), sizeof(struct gpu_stack_stats),
				    add_stack, &rd);
		if (p->report.stack_count)
			qsort(p->report.stacks, p->report.stack_count, sizeof(*p->report.stacks),
			      by_live_bytes);
	}
	return &p->report;
}

static void free_process(struct gpu_process *p)
{
	free_stacks(&p->report);
	free(p->report.devices);
	for (size_t i = 0; i < p->file_count; i++)
		free(p->files[i]);
	free(p->files);
}

void gpu_tracer__release(struct gpu_tracer *t, pid_t pid)
{
	struct gpu_process *p = t ? process_of(t, pid, false) : NULL;

	if (!p)
		return;   /* nothing probed: no link, no entry */
	probe_links__release(&t->links, pid);
	map_batch__delete_process(bpf_map__fd(t->skel->maps.gpu_stats), sizeof(struct gpu_key),
				  sizeof(struct gpu_stats), (unsigned int)pid);
	map_batch__delete_process(bpf_map__fd(t->skel->maps.gpu_outstanding),
				  sizeof(struct gpu_outstanding_key), sizeof(struct gpu_block),
				  (unsigned int)pid);
	map_batch__delete_process(bpf_map__fd(t->skel->maps.gpu_stack_stats),
				  sizeof(struct gpu_stack_key), sizeof(struct gpu_stack_stats),
				  (unsigned int)pid);
	map_batch__delete_process(bpf_map__fd(t->skel->maps.gpu_contexts),
				  sizeof(struct gpu_context_key), sizeof(__s32), (unsigned int)pid);
	free_process(p);
	*p = t->procs[--t->proc_count];
}

void gpu_tracer__destroy(struct gpu_tracer *t)
{
	if (!t)
		return;
	probe_links__destroy(&t->links);
	for (size_t i = 0; i < t->proc_count; i++)
		free_process(&t->procs[i]);
	free(t->procs);
	gpu_bpf__destroy(t->skel);
	free(t);
}
