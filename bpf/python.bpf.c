// SPDX-License-Identifier: GPL-2.0
/* CPython event mode: instances of heap types (classes) counted per type as they are made
 * and freed. Probes sit on functions reached through type slots, which LTO cannot inline:
 * PyType_GenericAlloc (tp_alloc of every class) returns the new object; PyObject_GC_Del
 * (tp_free of every GC class) receives it before it is freed. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "python.h"
#include "maps.bpf.h"
#include "py_counters_map.bpf.h"    /* frames.bpf.c reads it too */

/* Offsets in type objects, the same in CPython 3.8 to 3.13; set by the loader. */
const volatile __u64 ob_type_off = 8;
const volatile __u64 tp_name_off = 24;
const volatile __u64 tp_basicsize_off = 32;
const volatile __u64 tp_flags_off = 168;
const volatile __u64 gc_head_size = 16;

#define TPFLAGS_HEAPTYPE (1ull << 9)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct py_type_key);
	__type(value, struct py_type_stats);
} py_types SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1048576);    /* resized by the loader */
	__type(key, struct py_obj_key);
	__type(value, struct py_obj);
} py_objects SEC(".maps");

static struct py_event_counters *counters(__u32 tgid)
{
	static const struct py_event_counters zero;

	return lookup_or_init(&py_counters, &tgid, &zero);
}

SEC("uretprobe")
int BPF_KRETPROBE(py_alloc_exit, void *obj)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct py_event_counters *c = counters(tgid);
	struct py_type_key tk = { .tgid = tgid };
	struct py_obj_key ok = { .tgid = tgid, .addr = (__u64)obj };
	struct py_type_stats *ts;
	struct py_obj o = {};
	__u64 flags = 0, name = 0;
	__s64 basicsize = 0;

	if (!c || !obj)
		return 0;
	c->allocs_seen++;
	if (bpf_probe_read_user(&tk.type_addr, sizeof(tk.type_addr), obj + ob_type_off) ||
	    bpf_probe_read_user(&flags, sizeof(flags), (void *)tk.type_addr + tp_flags_off))
		return 0;
	if (!(flags & TPFLAGS_HEAPTYPE)) {
		c->allocs_builtin++;
		return 0;
	}
	bpf_probe_read_user(&basicsize, sizeof(basicsize), (void *)tk.type_addr + tp_basicsize_off);
	o.type_addr = tk.type_addr;
	o.bytes = basicsize + gc_head_size;
	ts = bpf_map_lookup_elem(&py_types, &tk);
	if (!ts) {
		struct py_type_stats fresh = {};

		if (!bpf_probe_read_user(&name, sizeof(name), (void *)tk.type_addr + tp_name_off))
			bpf_probe_read_user_str(fresh.name, sizeof(fresh.name), (void *)name);
		bpf_map_update_elem(&py_types, &tk, &fresh, BPF_NOEXIST);
		ts = bpf_map_lookup_elem(&py_types, &tk);
		if (!ts) {
			c->dropped++;
			return 0;
		}
	}
	if (bpf_map_update_elem(&py_objects, &ok, &o, BPF_ANY)) {
		c->dropped++;
		return 0;
	}
	__sync_fetch_and_add(&ts->created, 1);
	__sync_fetch_and_add(&ts->bytes_created, o.bytes);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(py_free_enter, void *obj)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct py_obj_key ok = { .tgid = tgid, .addr = (__u64)obj };
	struct py_event_counters *c = counters(tgid);
	struct py_type_key tk = { .tgid = tgid };
	struct py_type_stats *ts;
	struct py_obj *o;

	if (!c || !obj)
		return 0;
	c->frees_seen++;
	o = bpf_map_lookup_elem(&py_objects, &ok);
	if (!o) {
		c->frees_untracked++;
		return 0;
	}
	tk.type_addr = o->type_addr;
	ts = bpf_map_lookup_elem(&py_types, &tk);
	if (ts) {
		__sync_fetch_and_add(&ts->destroyed, 1);
		__sync_fetch_and_add(&ts->bytes_destroyed, o->bytes);
	}
	bpf_map_delete_elem(&py_objects, &ok);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
