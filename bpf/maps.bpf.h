/* Map helpers shared by the programs in bpf/. */
#ifndef MEMTRACE_MAPS_BPF_H
#define MEMTRACE_MAPS_BPF_H

/* The entry for key, inserted as zero first if absent; NULL only when the map is full. A
 * racing insert by another CPU is fine: BPF_NOEXIST keeps the first, both then use it. */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *zero)
{
	void *val = bpf_map_lookup_elem(map, key);

	if (val)
		return val;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

#endif
