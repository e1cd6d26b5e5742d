// SPDX-License-Identifier: GPL-2.0
/* CPython garbage collections: a probe where a collection starts and one where it ends
 * (USDT gc__start/gc__done, or the collector function and its return). The generation and
 * the objects collected come from the interpreter's own statistics, compared with what the
 * previous collection left (read at its end, or at the start of the first), so no argument
 * register is needed and compiler clones of the function do not matter.
 * A program allocating briskly runs thousands of young collections a second: each adds to
 * its process's totals, but only a sample of them is sent as an event (gc.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "gc.h"
#include "python_stack.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct gc_process);
} gc_processes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} gc_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gc_dropped SEC(".maps");

/* Each collection pays a trap at both ends, thousands a second in a program allocating
 * briskly: the probes touch nothing but their process's entry (no per-thread storage). */
SEC("uprobe")
int BPF_KPROBE(gc_start)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct gc_process *proc = bpf_map_lookup_elem(&gc_processes, &tgid);

	if (!proc)
		return 0;
	/* The first collection seen starts from what the statistics say now. */
	if (!proc->after_last_valid) {
		if (bpf_probe_read_user(&proc->after_last, sizeof(proc->after_last),
					(void *)proc->stats_addr)) {
			proc->start_ns = 0;
			return 0;
		}
		proc->after_last_valid = 1;
	}
	proc->start_ns = bpf_ktime_get_ns();
	return 0;
}

/* A collection that took this long is always an event: a pause worth seeing. */
#define GC_SLOW_NS 1000000ULL

static __always_inline bool send_as_event(struct gc_process *proc, int generation,
					  __u64 now, __u64 duration)
{
	if (generation != 0 || duration >= GC_SLOW_NS || !proc->young_gap_ns ||
	    now - proc->last_young_event_ns >= proc->young_gap_ns) {
		if (generation == 0)
			proc->last_young_event_ns = now;
		return true;
	}
	proc->young_unlisted++;
	return false;
}

SEC("uprobe")
int BPF_KPROBE(gc_done)
{
	__u64 now = bpf_ktime_get_ns(), duration;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct gc_process *proc = bpf_map_lookup_elem(&gc_processes, &tgid);
	struct gc_stats_snapshot after, *before;
	long long collected = -1, uncollectable = -1;
	int generation = -1, py_stack_id;
	struct gc_event *e;
	__u64 *dropped;

	if (!proc || !proc->start_ns)
		return 0;
	duration = now - proc->start_ns;
	/* Plain adds: a process's collections run one at a time (under its GC's lock). */
	proc->time_ns += duration;
	before = &proc->after_last;
	if (!bpf_probe_read_user(&after, sizeof(after), (void *)proc->stats_addr)) {
		/* A collection of generation g counts once in generation_stats[g]. */
		for (int g = 2; g >= 0; g--) {
			if (after.v[g * 3] != before->v[g * 3]) {
				generation = g;
				collected = after.v[g * 3 + 1] - before->v[g * 3 + 1];
				uncollectable = after.v[g * 3 + 2] - before->v[g * 3 + 2];
				break;
			}
		}
		if (generation >= 0)
			proc->timed[generation]++;
		proc->after_last = after;
		proc->after_last_valid = 1;
	} else {
		proc->after_last_valid = 0;
	}
	if (!send_as_event(proc, generation, now, duration))
		goto done;
	/* Which code made the collection run: its frames are those of the start again (the
	 * finalizers a collection runs have returned). */
	py_stack_id = walk_python_stack(tgid);
	e = bpf_ringbuf_reserve(&gc_events, sizeof(*e), 0);
	if (!e) {
		dropped = bpf_map_lookup_elem(&gc_dropped, &zero);
		if (dropped)
			(*dropped)++;
		goto done;
	}
	e->tgid = tgid;
	e->start_ns = proc->start_ns;
	e->duration_ns = duration;
	e->generation = generation;
	e->collected = collected;
	e->uncollectable = uncollectable;
	e->py_stack_id = py_stack_id;
	bpf_ringbuf_submit(e, 0);
done:
	proc->start_ns = 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
