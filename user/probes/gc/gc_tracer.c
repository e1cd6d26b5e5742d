// SPDX-License-Identifier: GPL-2.0
/* CPython GC events: loads bpf/gc.bpf.c, attaches where collections start and end. */
#include "probes/gc/gc_tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.skel.h"
#include "probes/probe_links.h"
#include "target/usdt.h"

struct gc_tracer {
	struct gc_bpf *skel;
	struct ring_buffer *rb;
	gc_event_fn fn;
	void *ctx;
	struct probe_links links;    /* per traced process */
	int ncpus;
	uint64_t young_gap_ns;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct gc_tracer *t = ctx;

	if (size >= sizeof(struct gc_event))
		t->fn(t->ctx, data);
	return 0;
}

int gc_tracer__open(struct gc_tracer **out, gc_event_fn fn, void *ctx, int py_configs_fd,
		    int py_stacks_fd)
{
	struct gc_tracer *t = calloc(1, sizeof(*t));
	int err;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->fn = fn;
	t->ctx = ctx;
	t->ncpus = libbpf_num_possible_cpus();
	t->skel = gc_bpf__open();
	if (t->skel && ((py_configs_fd >= 0 &&
			 bpf_map__reuse_fd(t->skel->maps.py_stack_configs, py_configs_fd)) ||
			(py_stacks_fd >= 0 && bpf_map__reuse_fd(t->skel->maps.py_stacks, py_stacks_fd)) ||
			gc_bpf__load(t->skel))) {
		gc_bpf__destroy(t->skel);
		t->skel = NULL;
	}
	if (!t->skel) {
		err = -errno;
		gc_tracer__destroy(t);
		return err ? err : -EINVAL;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.gc_events), on_event, t, NULL);
	if (!t->rb) {
		err = -errno;
		gc_tracer__destroy(t);
		return err ? err : -EINVAL;
	}
	*out = t;
	return 0;
}

static int attach_at(struct gc_tracer *t, struct bpf_program *prog, pid_t pid, const char *path,
		     uint64_t offset, uint64_t ref_ctr_offset, bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe, .ref_ctr_offset = ref_ctr_offset);
	struct bpf_link *link;

	link = bpf_program__attach_uprobe_opts(prog, pid, path, offset, &opts);
	if (!link)
		return -errno;
	return probe_links__keep(&t->links, pid, link);
}

/* USDT: the probe addresses and semaphores come from the executable's own notes, so this
 * needs no debug file. */
static int attach_usdt(struct gc_tracer *t, const struct py_target *target)
{
	const struct usdt_probe *start, *done;
	uint64_t start_off, done_off, start_sem = 0, done_sem = 0;
	struct usdt_probe *probes;
	int n = usdt_read_probes(target->open_path, &probes), err = -ENOENT;

	if (n <= 0)
		return -ENOENT;
	start = usdt_find(probes, n, "python", "gc__start");
	done = usdt_find(probes, n, "python", "gc__done");
	if (!start || !done || !elf_symtab__vaddr_to_offset(target->tab, start->pc, &start_off) ||
	    !elf_symtab__vaddr_to_offset(target->tab, done->pc, &done_off))
		goto out;
	if ((start->semaphore && !elf_symtab__vaddr_to_offset(target->tab, start->semaphore, &start_sem)) ||
	    (done->semaphore && !elf_symtab__vaddr_to_offset(target->tab, done->semaphore, &done_sem)))
		goto out;
	err = attach_at(t, t->skel->progs.gc_start, target->pid, target->open_path, start_off,
			start_sem, false);
	if (!err)
		err = attach_at(t, t->skel->progs.gc_done, target->pid, target->open_path, done_off,
				done_sem, false);
out:
	free(probes);
	return err;
}

/* The collector function and every compiler clone of it (3.8 has collect.constprop.0 and .1). */
static int attach_function(struct gc_tracer *t, const struct py_target *target, const char *name)
{
	const struct elf_symtab *tab = target->tab;
	int attached = 0, err;

	for (size_t i = 0; i < tab->count; i++) {
		const struct elf_symbol *sym = &tab->by_name[i];
		uint64_t offset;

		if (!sym->is_function || (strcmp(sym->name, name) && !elf_symbol_is_clone_of(sym->name, name)))
			continue;
		if (i && tab->by_name[i - 1].vaddr == sym->vaddr && !strcmp(tab->by_name[i - 1].name, sym->name))
			continue;
		if (!elf_symtab__vaddr_to_offset(tab, sym->vaddr, &offset))
			continue;
		err = attach_at(t, t->skel->progs.gc_start, target->pid, target->open_path, offset, 0,
				false);
		if (!err)
			err = attach_at(t, t->skel->progs.gc_done, target->pid, target->open_path, offset,
					0, true);
		if (err)
			return err;
		attached++;
	}
	return attached ? 0 : -ENOENT;
}

static int attach_probes(struct gc_tracer *t, const struct py_target *target)
{
	int err = attach_usdt(t, target);

	if (err)
		err = attach_function(t, target, "gc_collect_main");
	if (err == -ENOENT)
		err = attach_function(t, target, "collect");
	return err;
}

int gc_tracer__attach(struct gc_tracer *t, const struct py_target *target, uint64_t stats_addr,
		      char *why, size_t why_size)
{
	struct gc_process proc = { .stats_addr = stats_addr, .young_gap_ns = t->young_gap_ns };
	__u32 tgid = (__u32)target->pid;
	int err;

	err = bpf_map_update_elem(bpf_map__fd(t->skel->maps.gc_processes), &tgid, &proc, BPF_ANY);
	if (err) {
		snprintf(why, why_size, "cannot configure the GC probes: %s", strerror(errno));
		return -errno;
	}
	err = attach_probes(t, target);
	if (err == -ENOENT)
		snprintf(why, why_size, "%s has neither USDT gc__start/gc__done nor a symbol "
			 "gc_collect_main/collect (Debian: apt install python3-dbg)", target->path);
	else if (err)
		snprintf(why, why_size, "cannot attach the GC probes in %s: %s", target->path,
			 strerror(-err));
	return err;
}

int gc_tracer__pause(struct gc_tracer *t, pid_t pid)
{
	int fd = bpf_map__fd(t->skel->maps.gc_processes);
	__u32 tgid = (__u32)pid;
	struct gc_process proc;

	/* Once the links are gone no program runs: the entry is ours to amend. */
	probe_links__release_now(&t->links, pid);
	if (bpf_map_lookup_elem(fd, &tgid, &proc))
		return -errno;
	/* A collection cut in half is not timed; the next one seen reads the statistics. */
	proc.start_ns = 0;
	proc.after_last_valid = 0;
	return bpf_map_update_elem(fd, &tgid, &proc, BPF_EXIST) ? -errno : 0;
}

int gc_tracer__resume(struct gc_tracer *t, const struct py_target *target)
{
	int err = attach_probes(t, target);

	if (err)   /* a half attached pair would time nothing right */
		probe_links__release(&t->links, target->pid);
	return err;
}

void gc_tracer__set_young_gap(struct gc_tracer *t, uint64_t ns)
{
	if (t)
		t->young_gap_ns = ns;
}

bool gc_tracer__totals(struct gc_tracer *t, pid_t pid, struct gc_totals *out)
{
	__u32 tgid = (__u32)pid;
	struct gc_process proc;

	if (!t || bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.gc_processes), &tgid, &proc))
		return false;
	*out = (struct gc_totals){ .time_ns = proc.time_ns, .young_unlisted = proc.young_unlisted };
	for (int g = 0; g < 3; g++)
		out->timed[g] = proc.timed[g];
	return true;
}

void gc_tracer__poll(struct gc_tracer *t)
{
	ring_buffer__consume(t->rb);
}

uint64_t gc_tracer__dropped(struct gc_tracer *t)
{
	__u64 values[512] = { 0 }, sum = 0;
	__u32 zero = 0;

	if (t->ncpus <= 0 || t->ncpus > 512 ||
	    bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.gc_dropped), &zero, values))
		return 0;
	for (int c = 0; c < t->ncpus; c++)
		sum += values[c];
	return sum;
}

void gc_tracer__release(struct gc_tracer *t, pid_t pid)
{
	__u32 tgid = (__u32)pid;

	if (!t)
		return;
	probe_links__release(&t->links, pid);
	bpf_map_delete_elem(bpf_map__fd(t->skel->maps.gc_processes), &tgid);
}

void gc_tracer__destroy(struct gc_tracer *t)
{
	if (!t)
		return;
	probe_links__destroy(&t->links);
	ring_buffer__free(t->rb);
	gc_bpf__destroy(t->skel);
	free(t);
}
