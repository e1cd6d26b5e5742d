// SPDX-License-Identifier: GPL-2.0
/* CPython event mode: instances of heap types (classes) counted per type, and per type and
 * Python stack (sites), as they are made and freed. Probes sit on functions reached through type slots, which LTO cannot inline:
 * PyType_GenericAlloc (tp_alloc of every class) returns the new object; PyObject_GC_Del
 * (tp_free of every GC class, and of type objects themselves) receives it before it is freed. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "python.h"
#include "lifetime_bucket.bpf.h"
#include "maps.bpf.h"
#include "py_counters_map.bpf.h"    /* frames.bpf.c reads it too */
#include "python_stack.bpf.h"       /* its maps are the alloc tracer's (reused fds) */

/* Offsets in type objects, the same in CPython 3.8 to 3.13; set by the loader. */
const volatile __u64 ob_type_off = 8;
const volatile __u64 tp_name_off = 24;
const volatile __u64 tp_basicsize_off = 32;
const volatile __u64 tp_flags_off = 168;
const volatile __u64 tp_free_off = 320;
const volatile __u64 gc_head_size = 16;

#define TPFLAGS_HEAPTYPE (1ull << 9)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct py_proc_config);
} py_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct py_type_key);
	__type(value, struct py_type_stats);
} py_types SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct py_dead_type_key);
	__type(value, struct py_type_stats);
} py_dead_types SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1048576);    /* resized by the loader */
	__type(key, struct py_obj_key);
	__type(value, struct py_obj);
} py_objects SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct py_site_key);
	__type(value, struct py_site_stats);
} py_sites SEC(".maps");
/* A new type's first py_type_stats, made here: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct py_type_stats);
} fresh_type_stats SEC(".maps");

static struct py_event_counters *counters(__u32 tgid)
{
	static const struct py_event_counters zero;

	return lookup_or_init(&py_counters, &tgid, &zero);
}

static void read_type_name(struct py_type_stats *ts, __u64 type_addr)
{
	__u64 name = 0;

	if (!bpf_probe_read_user(&name, sizeof(name), (void *)type_addr + tp_name_off))
		bpf_probe_read_user_str(ts->name, sizeof(ts->name), (void *)name);
}

/* The type's entry, made at its first instance. */
static struct py_type_stats *type_stats(const struct py_type_key *tk,
					const struct py_proc_config *cfg)
{
	struct py_type_stats *ts = bpf_map_lookup_elem(&py_types, tk), *fresh;
	__u64 tp_free = 0;
	__u32 zero = 0;

	if (ts) {
		/* A name read can fail where its page is not in memory yet: retry. */
		if (!ts->name[0])
			read_type_name(ts, tk->type_addr);
		return ts;
	}
	if (bpf_probe_read_user(&tp_free, sizeof(tp_free), (void *)tk->type_addr + tp_free_off))
		return NULL;
	fresh = bpf_map_lookup_elem(&fresh_type_stats, &zero);
	if (!fresh)
		return NULL;
	__builtin_memset(fresh, 0, sizeof(*fresh));
	fresh->frees_unseen = tp_free != cfg->gc_del_addr;
	read_type_name(fresh, tk->type_addr);
	bpf_map_update_elem(&py_types, tk, fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&py_types, tk);
}

static struct py_site_stats *site_stats(__u32 tgid, int py_stack_id,
					const struct py_type_stats *ts)
{
	static const struct py_site_stats zero;
	struct py_site_key key = { .tgid = tgid, .py_stack_id = py_stack_id };

	__builtin_memcpy(key.name, ts->name, sizeof(key.name));
	return lookup_or_init(&py_sites, &key, &zero);
}

SEC("uretprobe")
int BPF_KRETPROBE(py_alloc_exit, void *obj)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct py_proc_config *cfg = bpf_map_lookup_elem(&py_config, &tgid);
	struct py_event_counters *c = counters(tgid);
	struct py_type_key tk = { .tgid = tgid };
	struct py_obj_key ok = { .tgid = tgid, .addr = (__u64)obj };
	struct py_type_stats *ts;
	struct py_site_stats *site;
	struct py_obj o = {};
	__u64 flags = 0, live;
	__s64 basicsize = 0;

	if (!cfg || !c || !obj)
		return 0;
	c->allocs_seen++;
	if (bpf_probe_read_user(&tk.type_addr, sizeof(tk.type_addr), obj + ob_type_off) ||
	    bpf_probe_read_user(&flags, sizeof(flags), (void *)tk.type_addr + tp_flags_off))
		return 0;
	if (!(flags & TPFLAGS_HEAPTYPE)) {
		c->allocs_builtin++;
		return 0;
	}
	ts = type_stats(&tk, cfg);
	if (!ts) {
		c->dropped++;
		return 0;
	}
	/* Counting an instance whose free no probe sees would make it live forever. */
	if (ts->frees_unseen) {
		c->allocs_free_unseen++;
		return 0;
	}
	bpf_probe_read_user(&basicsize, sizeof(basicsize), (void *)tk.type_addr + tp_basicsize_off);
	o.type_addr = tk.type_addr;
	o.bytes = basicsize + gc_head_size;
	o.py_stack_id = walk_python_stack(tgid);
	o.born_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&py_objects, &ok, &o, BPF_ANY)) {
		c->dropped++;
		return 0;
	}
	__sync_fetch_and_add(&ts->created, 1);
	__sync_fetch_and_add(&ts->bytes_created, o.bytes);
	site = site_stats(tgid, o.py_stack_id, ts);
	if (site) {
		__sync_fetch_and_add(&site->created, 1);
		__sync_fetch_and_add(&site->bytes_created, o.bytes);
	} else {
		c->sites_dropped++;
	}
	live = ts->created - ts->destroyed;
	if ((__s64)live > (__s64)ts->peak_live)
		ts->peak_live = live;   /* a plain store: a pool hint */
	return 0;
}

/* A type object is freed (after all its instances: each holds a reference to it): its
 * counts go to its name, and its address is free for a new type. */
static void retire_type(struct py_event_counters *c, const struct py_type_key *tk)
{
	struct py_type_stats *ts = bpf_map_lookup_elem(&py_types, tk), *dead;
	struct py_dead_type_key dk = { .tgid = tk->tgid };

	if (!ts)
		return;
	c->types_died++;
	__builtin_memcpy(dk.name, ts->name, sizeof(dk.name));
	dead = bpf_map_lookup_elem(&py_dead_types, &dk);
	if (!dead) {
		bpf_map_update_elem(&py_dead_types, &dk, ts, BPF_NOEXIST);
	} else {
		__sync_fetch_and_add(&dead->created, ts->created);
		__sync_fetch_and_add(&dead->destroyed, ts->destroyed);
		__sync_fetch_and_add(&dead->bytes_created, ts->bytes_created);
		__sync_fetch_and_add(&dead->bytes_destroyed, ts->bytes_destroyed);
		__sync_fetch_and_add(&dead->temporary, ts->temporary);
		__sync_fetch_and_add(&dead->lifetime_ns_total, ts->lifetime_ns_total);
		for (int b = 0; b < PY_LIFETIME_BUCKETS; b++)
			__sync_fetch_and_add(&dead->lifetime_hist[b], ts->lifetime_hist[b]);
		if (ts->peak_live > dead->peak_live)
			dead->peak_live = ts->peak_live;
	}
	bpf_map_delete_elem(&py_types, tk);
}

static void count_lifetime(struct py_type_stats *ts, __u64 born_ns, __u64 temporary_ns)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 lifetime = now > born_ns ? now - born_ns : 0;
	__u32 bucket = lifetime_bucket(lifetime, PY_LIFETIME_BUCKETS);

	if (lifetime < temporary_ns)
		__sync_fetch_and_add(&ts->temporary, 1);
	__sync_fetch_and_add(&ts->lifetime_ns_total, lifetime);
	if (bucket < PY_LIFETIME_BUCKETS)
		__sync_fetch_and_add(&ts->lifetime_hist[bucket], 1);
}

SEC("uprobe")
int BPF_KPROBE(py_free_enter, void *obj)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct py_obj_key ok = { .tgid = tgid, .addr = (__u64)obj };
	struct py_event_counters *c = counters(tgid);
	struct py_type_key tk = { .tgid = tgid };
	struct py_type_stats *ts;
	struct py_proc_config *cfg;
	struct py_obj *o;

	if (!c || !obj)
		return 0;
	c->frees_seen++;
	o = bpf_map_lookup_elem(&py_objects, &ok);
	if (o) {
		tk.type_addr = o->type_addr;
		ts = bpf_map_lookup_elem(&py_types, &tk);
		if (ts) {
			struct py_site_key sk = { .tgid = tgid, .py_stack_id = o->py_stack_id };
			struct py_site_stats *site;

			__sync_fetch_and_add(&ts->destroyed, 1);
			__sync_fetch_and_add(&ts->bytes_destroyed, o->bytes);
			__builtin_memcpy(sk.name, ts->name, sizeof(sk.name));
			site = bpf_map_lookup_elem(&py_sites, &sk);
			if (site) {
				__sync_fetch_and_add(&site->destroyed, 1);
				__sync_fetch_and_add(&site->bytes_destroyed, o->bytes);
			}
			cfg = bpf_map_lookup_elem(&py_config, &tgid);
			count_lifetime(ts, o->born_ns, cfg ? cfg->temporary_ns : 0);
		}
		bpf_map_delete_elem(&py_objects, &ok);
	} else {
		c->frees_untracked++;
	}
	/* The object may be a class (an instance of a metaclass, counted above, or of type). */
	tk.type_addr = (__u64)obj;
	retire_type(c, &tk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
