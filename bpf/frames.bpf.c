// SPDX-License-Identifier: GPL-2.0
/* Frames: a uprobe on a native function ends a frame; stage probes split it. Each frame's
 * allocator figures are differences of the counters that alloc.bpf.c keeps per process
 * (its native_stats map, shared by the loader): no cost on the allocation path. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "frames.h"
#include "maps.bpf.h"
/* The loader points these at alloc.bpf.c's and (when python_counters) python.bpf.c's maps. */
#include "native_stats_map.bpf.h"
#include "py_counters_map.bpf.h"

const volatile __u32 nr_cpus = 1;
const volatile __u32 stage_count = 0;
const volatile bool python_counters = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct frame_state);
} frame_states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} frames SEC(".maps");

static __always_inline void read_counts(__u32 tgid, struct frame_counts *c)
{
	__builtin_memset(c, 0, sizeof(*c));
	for (__u32 cpu = 0; cpu < FRAMES_MAX_CPUS; cpu++) {
		struct native_stats *s;
		struct py_event_counters *py;

		if (cpu >= nr_cpus)
			break;
		if (python_counters) {
			py = bpf_map_lookup_percpu_elem(&py_counters, &tgid, cpu);
			if (py) {
				c->py_allocs += py->allocs_seen;
				c->py_frees += py->frees_seen;
			}
		}
		s = bpf_map_lookup_percpu_elem(&native_stats, &tgid, cpu);
		if (!s)
			continue;
		c->allocs += s->allocs;
		c->frees += s->frees;
		c->bytes_allocated += s->bytes_allocated;
		c->bytes_freed += s->bytes_freed;
		c->dropped += s->dropped;
		c->bytes_dropped += s->bytes_dropped;
	}
}

static __always_inline void add_diff(struct frame_counts *acc, const struct frame_counts *now,
				     const struct frame_counts *base)
{
	acc->allocs += now->allocs - base->allocs;
	acc->frees += now->frees - base->frees;
	acc->bytes_allocated += now->bytes_allocated - base->bytes_allocated;
	acc->bytes_freed += now->bytes_freed - base->bytes_freed;
	acc->py_allocs += now->py_allocs - base->py_allocs;
	acc->py_frees += now->py_frees - base->py_frees;
}

static __always_inline struct frame_state *state_of(__u32 tgid)
{
	static const struct frame_state zero;

	return lookup_or_init(&frame_states, &tgid, &zero);
}

static __always_inline void close_stage(struct frame_state *st, const struct frame_counts *now,
					__u64 now_ns)
{
	__u32 k = st->stage - 1;

	/* Keep clang from folding the bound check into the one on st->stage. */
	asm volatile("" : "+r"(k));
	if (k < FRAMES_MAX_STAGES) {
		add_diff(&st->stages[k].counts, now, &st->stage_base);
		st->stages[k].duration_ns += now_ns - st->stage_start_ns;
	}
	st->stage = 0;
}

SEC("uprobe")
int frame_end(struct pt_regs *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 now_ns = bpf_ktime_get_ns();
	struct frame_counts now;
	struct frame_state *st;
	struct frame_event *ev;

	st = state_of(tgid);
	if (!st)
		return 0;
	read_counts(tgid, &now);
	close_stage(st, &now, now_ns);
	st->seq++;
	ev = bpf_ringbuf_reserve(&frames, sizeof(*ev), 0);
	if (ev) {
		ev->tgid = tgid;
		ev->stage_count = stage_count;
		ev->seq = st->seq;
		ev->start_ns = st->start_ns;
		ev->end_ns = now_ns;
		__builtin_memset(&ev->counts, 0, sizeof(ev->counts));
		add_diff(&ev->counts, &now, &st->base);
		/* Of the tracked blocks, as native_live_bytes() (report.h). */
		ev->live_bytes = now.bytes_allocated - now.bytes_dropped - now.bytes_freed;
		ev->live_allocs = now.allocs - now.dropped - now.frees;
		ev->lost_before = st->lost;
		for (int k = 0; k < FRAMES_MAX_STAGES; k++)
			ev->stages[k] = st->stages[k];
		bpf_ringbuf_submit(ev, 0);
	} else {
		st->lost++;
	}
	st->start_ns = now_ns;
	st->base = now;
	for (int k = 0; k < FRAMES_MAX_STAGES; k++)
		__builtin_memset(&st->stages[k], 0, sizeof(st->stages[k]));
	return 0;
}

/* The attach cookie is the stage's index. */
SEC("uprobe")
int stage_begin(struct pt_regs *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 now_ns = bpf_ktime_get_ns();
	__u32 k = bpf_get_attach_cookie(ctx);
	struct frame_counts now;
	struct frame_state *st;

	if (k >= FRAMES_MAX_STAGES)
		return 0;
	st = state_of(tgid);
	if (!st)
		return 0;
	read_counts(tgid, &now);
	close_stage(st, &now, now_ns);
	st->stage = k + 1;
	st->stage_base = now;
	st->stage_start_ns = now_ns;
	asm volatile("" : "+r"(k));
	if (k < FRAMES_MAX_STAGES)
		st->stages[k].hits++;
	return 0;
}

/* Calibration (probes/frames/probe_cost.c): no work, so that timing calls to a function of
 * the loader's own with them attached measures what a hit costs the calling thread. */
SEC("uprobe")
int cost_entry(struct pt_regs *ctx)
{
	return 0;
}

SEC("uretprobe")
int cost_return(struct pt_regs *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
