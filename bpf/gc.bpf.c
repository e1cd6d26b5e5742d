// SPDX-License-Identifier: GPL-2.0
/* CPython garbage collections: a probe where a collection starts and one where it ends
 * (USDT gc__start/gc__done, or the collector function and its return). The generation and
 * the objects collected come from the interpreter's own statistics, read at both ends, so
 * no argument register is needed and compiler clones of the function do not matter. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "gc.h"
#include "python_stack.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct gc_config);
} gc_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);             /* thread id */
	__type(value, struct gc_pending);
} gc_pending SEC(".maps");

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

SEC("uprobe")
int BPF_KPROBE(gc_start)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct gc_config *cfg = bpf_map_lookup_elem(&gc_config, &tgid);
	struct gc_pending p = {};

	if (!cfg)
		return 0;
	p.tgid = tgid;
	p.py_stack_id = walk_python_stack(tgid);   /* which code made the collection run */
	p.start_ns = bpf_ktime_get_ns();
	if (bpf_probe_read_user(&p.before, sizeof(p.before), (void *)cfg->stats_addr))
		return 0;
	bpf_map_update_elem(&gc_pending, &tid, &p, BPF_ANY);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(gc_done)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id, zero = 0;
	struct gc_config *cfg = bpf_map_lookup_elem(&gc_config, &tgid);
	struct gc_pending *p = bpf_map_lookup_elem(&gc_pending, &tid);
	struct gc_stats_snapshot after;
	struct gc_event *e;
	__u64 *dropped;

	if (!cfg || !p)
		return 0;
	e = bpf_ringbuf_reserve(&gc_events, sizeof(*e), 0);
	if (!e) {
		dropped = bpf_map_lookup_elem(&gc_dropped, &zero);
		if (dropped)
			(*dropped)++;
		bpf_map_delete_elem(&gc_pending, &tid);
		return 0;
	}
	e->tgid = tgid;
	e->start_ns = p->start_ns;
	e->duration_ns = bpf_ktime_get_ns() - p->start_ns;
	e->generation = -1;
	e->collected = -1;
	e->uncollectable = -1;
	e->py_stack_id = p->py_stack_id;
	if (!bpf_probe_read_user(&after, sizeof(after), (void *)cfg->stats_addr)) {
		/* A collection of generation g counts once in generation_stats[g]. */
		for (int g = 2; g >= 0; g--) {
			if (after.v[g * 3] != p->before.v[g * 3]) {
				e->generation = g;
				e->collected = after.v[g * 3 + 1] - p->before.v[g * 3 + 1];
				e->uncollectable = after.v[g * 3 + 2] - p->before.v[g * 3 + 2];
				break;
			}
		}
	}
	bpf_ringbuf_submit(e, 0);
	bpf_map_delete_elem(&gc_pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
