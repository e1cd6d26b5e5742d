// SPDX-License-Identifier: GPL-2.0
#include "probes/frames/probe_cost.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "probes/probe_links.h"
#include "target/procmaps.h"

#define CALLS 10000
#define ROUNDS 5

#if defined(__x86_64__)
/* The site: starts with a push, as glibc's malloc does (the kernel emulates it; an
 * instruction it must single-step costs ten times more, docs/performance.md). */
void probe_cost_site(void);
__asm__(".text\n"
	".globl probe_cost_site\n"
	".type probe_cost_site, @function\n"
	"probe_cost_site:\n"
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	pop %rbp\n"
	"	ret\n"
	".size probe_cost_site, .-probe_cost_site\n");

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* ns per call, the median of ROUNDS: the cost as the machine's load makes it now, without
 * the round that lost the CPU. */
static double time_calls(void)
{
	void (*volatile site)(void) = probe_cost_site;
	double ns[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < CALLS; i++)
			site();
		ns[r] = (double)(now_ns() - t0) / CALLS;
	}
	qsort(ns, ROUNDS, sizeof(ns[0]), by_value);
	return ns[ROUNDS / 2];
}

static int site_location(char *path, size_t size, uint64_t *offset)
{
	uint64_t addr = (uint64_t)(uintptr_t)probe_cost_site;
	struct procmaps maps;
	const struct mapping *m;
	int err = procmaps__read(getpid(), &maps);

	if (err)
		return err;
	m = procmaps__find(&maps, addr);
	err = m && m->path[0] == '/' ? 0 : -1;
	if (!err) {
		snprintf(path, size, "%s", m->path);
		*offset = addr - m->start + m->file_offset;
	}
	procmaps__free(&maps);
	return err;
}

void probe_cost__measure(struct bpf_program *entry, struct bpf_program *exit,
			 struct probe_cost *out)
{
	struct probe_links links = { 0 };
	double bare, with_entry, with_both;
	char path[4096];
	uint64_t offset;

	*out = (struct probe_cost){ 0 };
	if (site_location(path, sizeof(path), &offset))
		return;
	bare = time_calls();
	if (probe_links__attach(&links, entry, getpid(), path, &offset, NULL, 1, false))
		goto done;
	with_entry = time_calls();
	if (probe_links__attach(&links, exit, getpid(), path, &offset, NULL, 1, true))
		goto done;
	with_both = time_calls();
	*out = (struct probe_cost){
		.known = with_entry > bare && with_both > with_entry,
		.entry_ns = with_entry - bare,
		.return_ns = with_both - with_entry,
	};
done:
	probe_links__destroy(&links);
}
#else
void probe_cost__measure(struct bpf_program *entry, struct bpf_program *exit,
			 struct probe_cost *out)
{
	(void)entry;
	(void)exit;
	*out = (struct probe_cost){ 0 };
}
#endif
