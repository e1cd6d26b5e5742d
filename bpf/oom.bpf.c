// SPDX-License-Identifier: GPL-2.0
/* The OOM moment: tells the loader at once when the kernel's OOM killer picks a task, so that
 * it writes the victim's last snapshot while its counters are still in the maps. Every victim
 * is told (the killer runs rarely); the loader keeps those it traces. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "oom.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} oom_events SEC(".maps");

SEC("tracepoint/oom/mark_victim")
int oom_mark_victim(struct trace_event_raw_mark_victim *ctx)
{
	struct oom_victim_event *e = bpf_ringbuf_reserve(&oom_events, sizeof(*e), 0);

	if (!e)
		return 0;
	*e = (struct oom_victim_event){ .pid = ctx->pid };
	/* Older kernels' tracepoint carries the pid only (then the sizes stay 0). */
	if (bpf_core_field_exists(ctx->anon_rss)) {
		e->total_vm_kb = ctx->total_vm;
		e->anon_rss_kb = ctx->anon_rss;
		e->file_rss_kb = ctx->file_rss;
		e->shmem_rss_kb = ctx->shmem_rss;
		e->oom_score_adj = ctx->oom_score_adj;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
