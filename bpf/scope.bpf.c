// SPDX-License-Identifier: GPL-2.0
/* Scopes (--cgroup, --all): tells the loader of every process that starts (fork) or runs a
 * new program (exec) inside the scope, so that it is traced from its start on. A cgroup scope
 * is filtered here: the task's cgroup or one of its ancestors must be a scope cgroup, so
 * processes elsewhere on the host cost one map lookup per level and reach nobody. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "scope.h"

const volatile bool whole_host = false;        /* --all: every process */

/* The scope's cgroups (cgroup v2 ids: their directories' inode numbers). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u8);
} scope_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} scope_events SEC(".maps");

/* Events the ring buffer had no room for: the loader's rescan finds those processes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} scope_dropped SEC(".maps");

/* The current task (a fork's parent: the child starts in its cgroup) is in the scope. */
static __always_inline bool current_in_scope(void)
{
	if (whole_host)
		return true;
	for (int level = 0; level < SCOPE_MAX_LEVELS; level++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(level);

		if (!id)
			return false;   /* deeper than the task's own cgroup */
		if (bpf_map_lookup_elem(&scope_cgroups, &id))
			return true;
	}
	return false;
}

static __always_inline void tell(__u32 tgid, enum scope_event_kind kind)
{
	struct scope_event *e = bpf_ringbuf_reserve(&scope_events, sizeof(*e), 0);
	__u32 zero = 0;
	__u64 *dropped;

	if (!e) {
		dropped = bpf_map_lookup_elem(&scope_dropped, &zero);
		if (dropped)
			(*dropped)++;
		return;
	}
	e->tgid = tgid;
	e->kind = kind;
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(scope_fork, struct task_struct *parent, struct task_struct *child)
{
	/* A thread shares its process's tgid: only new processes count. */
	if (child->pid != child->tgid || !current_in_scope())
		return 0;
	tell(child->tgid, SCOPE_FORK);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(scope_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (!current_in_scope())
		return 0;
	tell(p->tgid, SCOPE_EXEC);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
