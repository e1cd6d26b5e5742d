// SPDX-License-Identifier: GPL-2.0
#include "target/python/pyversion.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Measured on this project's build machine with offsetof() against each version's own
 * internal headers (Py_BUILD_CORE): pyenv 3.8.18, 3.9.18, 3.10.13, 3.11.7, 3.12.1, 3.13.0 and
 * Debian's 3.11.2 (same layout as 3.11.7). For 3.13 the interpreter head and the GC state
 * offsets are also read from _Py_DebugOffsets at run time, which wins when it is valid.
 * runtime_finalizing: _PyRuntime._finalizing (3.8: finalizing), 3.8 to 3.13. The stack
 * offsets (.stack) likewise, read with gdb from each pyenv build's DWARF (ptype /o); 3.13's
 * are checked against _Py_DebugOffsets at run time (detect.c). The container offsets
 * (.containers: list, tuple, dict, dict keys and values, module, where instances keep their
 * attributes) likewise with gdb's ptype /o
 * on each pyenv build; Debian's 3.11.2 has the same (its DWARF is in python3-dbg). */
static const struct py_offsets tables[] = {
	{ .minor = 8, .runtime_interp_head = 32, .runtime_finalizing = 16, .gc_in_runtime = true,
	  .gc_state = 344, .gc_generations = 24, .gc_generation_size = 24, .gc_stats = 128,
	  .gc_head_size = 16, .arena_size = 256 << 10,
	  .stack = { .interp_threads_head = 8, .thread_next = 8, .thread_id = 176, .thread_frame = 24,
	    .cframe_current_frame = -1, .frame_back = 24, .frame_code = 32, .frame_instr = 104,
	    .frame_owner = -1, .frame_owner_cstack = -1, .lasti_unit = 1, .code_filename = 104,
	    .code_name = 112, .code_qualname = -1, .code_firstlineno = 40, .code_linetable = 120,
	    .code_code = 48, .code_adaptive = -1, .line_table = PY_LINE_TABLE_LNOTAB,
	    .unicode_ascii_size = 48, .unicode_compact_size = 72 },
	  .containers = { .list_items = 24, .tuple_items = 24, .dict_keys = 32, .dict_values = 40,
	    .keys_size = 8, .keys_kind = -1, .keys_nentries = 32, .keys_indices = 40,
	    .values_items = 0, .module_dict = 16, .module_name = 48,
	    .attrs = PY_ATTRS_DICTOFFSET, .type_dictoffset = 288, .heap_cached_keys = 872 } },
	{ .minor = 9, .runtime_interp_head = 32, .runtime_finalizing = 16, .gc_state = 616,
	  .gc_generations = 24, .gc_generation_size = 24, .gc_stats = 128, .gc_head_size = 16,
	  .arena_size = 256 << 10,
	  .stack = { .interp_threads_head = 8, .thread_next = 8, .thread_id = 176, .thread_frame = 24,
	    .cframe_current_frame = -1, .frame_back = 24, .frame_code = 32, .frame_instr = 104,
	    .frame_owner = -1, .frame_owner_cstack = -1, .lasti_unit = 1, .code_filename = 104,
	    .code_name = 112, .code_qualname = -1, .code_firstlineno = 40, .code_linetable = 120,
	    .code_code = 48, .code_adaptive = -1, .line_table = PY_LINE_TABLE_LNOTAB,
	    .unicode_ascii_size = 48, .unicode_compact_size = 72 },
	  .containers = { .list_items = 24, .tuple_items = 24, .dict_keys = 32, .dict_values = 40,
	    .keys_size = 8, .keys_kind = -1, .keys_nentries = 32, .keys_indices = 40,
	    .values_items = 0, .module_dict = 16, .module_name = 48,
	    .attrs = PY_ATTRS_DICTOFFSET, .type_dictoffset = 288, .heap_cached_keys = 864 } },
	{ .minor = 10, .runtime_interp_head = 32, .runtime_finalizing = 16, .gc_state = 616,
	  .gc_generations = 24, .gc_generation_size = 24, .gc_stats = 128, .gc_head_size = 16,
	  .arena_size = 1 << 20,
	  .stack = { .interp_threads_head = 8, .thread_next = 8, .thread_id = 176, .thread_frame = 24,
	    .cframe_current_frame = -1, .frame_back = 24, .frame_code = 32, .frame_instr = 96,
	    .frame_owner = -1, .frame_owner_cstack = -1, .lasti_unit = 2, .code_filename = 104,
	    .code_name = 112, .code_qualname = -1, .code_firstlineno = 40, .code_linetable = 120,
	    .code_code = 48, .code_adaptive = -1, .line_table = PY_LINE_TABLE_PEP626,
	    .unicode_ascii_size = 48, .unicode_compact_size = 72 },
	  .containers = { .list_items = 24, .tuple_items = 24, .dict_keys = 32, .dict_values = 40,
	    .keys_size = 8, .keys_kind = -1, .keys_nentries = 32, .keys_indices = 40,
	    .values_items = 0, .module_dict = 16, .module_name = 48,
	    .attrs = PY_ATTRS_DICTOFFSET, .type_dictoffset = 288, .heap_cached_keys = 872 } },
	{ .minor = 11, .runtime_interp_head = 40, .runtime_finalizing = 24, .gc_state = 648,
	  .gc_generations = 24, .gc_generation_size = 24, .gc_stats = 128, .gc_head_size = 16,
	  .arena_size = 1 << 20,
	  .stack = { .interp_threads_head = 16, .thread_next = 8, .thread_id = 152,
	    .thread_frame = 56, .cframe_current_frame = 8, .interpreter_frames = true,
	    .frame_back = 48, .frame_code = 32, .frame_instr = 56, .frame_owner = 69,
	    .frame_owner_cstack = -1, .code_filename = 112, .code_name = 120,
	    .code_qualname = 128, .code_firstlineno = 72, .code_linetable = 136, .code_code = -1,
	    .code_adaptive = 184, .line_table = PY_LINE_TABLE_LOCATIONS,
	    .unicode_ascii_size = 48, .unicode_compact_size = 72 },
	  .containers = { .list_items = 24, .tuple_items = 24, .dict_keys = 32, .dict_values = 40,
	    .keys_log2 = true, .keys_size = 9, .keys_kind = 10, .keys_nentries = 24,
	    .keys_indices = 32, .values_items = 0, .module_dict = 16, .module_name = 48,
	    .attrs = PY_ATTRS_PREHEADER_311, .type_dictoffset = 288, .heap_cached_keys = 872 } },
	{ .minor = 12, .runtime_interp_head = 40, .runtime_finalizing = 24, .gc_state = 112,
	  .gc_generations = 24, .gc_generation_size = 24, .gc_stats = 128, .gc_head_size = 16,
	  .interp_narenas = 5024, .arena_size = 1 << 20,
	  .stack = { .interp_threads_head = 72, .thread_next = 8, .thread_id = 136,
	    .thread_frame = 56, .cframe_current_frame = 0, .interpreter_frames = true,
	    .frame_back = 8, .frame_code = 0, .frame_instr = 56, .frame_owner = 70,
	    .frame_owner_cstack = 3, .code_filename = 112, .code_name = 120,
	    .code_qualname = 128, .code_firstlineno = 68, .code_linetable = 136, .code_code = -1,
	    .code_adaptive = 192, .line_table = PY_LINE_TABLE_LOCATIONS,
	    .unicode_ascii_size = 40, .unicode_compact_size = 56 },
	  .containers = { .list_items = 24, .tuple_items = 24, .dict_keys = 32, .dict_values = 40,
	    .keys_log2 = true, .keys_size = 9, .keys_kind = 10, .keys_nentries = 24,
	    .keys_indices = 32, .values_items = 0, .module_dict = 16, .module_name = 48,
	    .attrs = PY_ATTRS_TAGGED_312, .type_dictoffset = 288, .heap_cached_keys = 880 } },
	{ .minor = 13, .runtime_interp_head = 632, .runtime_finalizing = 608, .gc_state = 7400,
	  .gc_generations = 24, .gc_generation_size = 24, .gc_stats = 128, .gc_head_size = 16,
	  .interp_obmalloc_ptr = 10800, .obmalloc_narenas = 1064, .arena_size = 1 << 20,
	  .stack = { .interp_threads_head = 7344, .thread_next = 8, .thread_id = 152,
	    .thread_frame = 72, .cframe_current_frame = -1, .interpreter_frames = true,
	    .frame_back = 8, .frame_code = 0, .frame_instr = 56, .frame_owner = 70,
	    .frame_owner_cstack = 3, .code_filename = 112, .code_name = 120,
	    .code_qualname = 128, .code_firstlineno = 68, .code_linetable = 136, .code_code = -1,
	    .code_adaptive = 200, .line_table = PY_LINE_TABLE_LOCATIONS,
	    .unicode_ascii_size = 40, .unicode_compact_size = 56 },
	  .containers = { .list_items = 24, .tuple_items = 24, .dict_keys = 32, .dict_values = 40,
	    .keys_log2 = true, .keys_size = 9, .keys_kind = 10, .keys_nentries = 24,
	    .keys_indices = 32, .values_items = 8, .module_dict = 16, .module_name = 48,
	    .attrs = PY_ATTRS_INLINE_313, .type_dictoffset = 288, .heap_cached_keys = 880 } },
};

static bool parse_int(const char **s, int *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)**s))
		return false;
	v = strtol(*s, &end, 10);
	if (v < 0 || v > 1000)
		return false;
	*out = (int)v;
	*s = end;
	return true;
}

bool pyversion__parse(const char *s, struct pyversion *v)
{
	struct pyversion r = { 0, 0, -1 };

	if (!s || !parse_int(&s, &r.major) || *s++ != '.' || !parse_int(&s, &r.minor))
		return false;
	if (*s == '.') {
		s++;
		if (!parse_int(&s, &r.micro))
			return false;
	}
	/* A release tag (a1, b2, rc1, +) or the end of the version word may follow. */
	if (*s && !isalpha((unsigned char)*s) && *s != ' ' && *s != '+')
		return false;
	*v = r;
	return true;
}

bool pyversion__from_hex(uint32_t hex, struct pyversion *v)
{
	if (hex >> 24 != 3 || ((hex >> 4) & 0xf) < 0xa || ((hex >> 4) & 0xf) > 0xf)
		return false;
	*v = (struct pyversion){ (int)(hex >> 24), (int)((hex >> 16) & 0xff), (int)((hex >> 8) & 0xff) };
	return true;
}

bool pyversion__from_file_name(const char *path, struct pyversion *v)
{
	const char *base = strrchr(path, '/');
	struct pyversion r = { 0, 0, -1 };
	const char *p;

	base = base ? base + 1 : path;
	if (!strncmp(base, "libpython", 9))
		p = base + 9;
	else if (!strncmp(base, "python", 6))
		p = base + 6;
	else
		return false;
	if (!parse_int(&p, &r.major) || *p++ != '.' || !parse_int(&p, &r.minor))
		return false;
	/* What may follow: the end, ".so...", or ABI flags ("d", "m") before ".so". */
	while (*p == 'd' || *p == 'm' || *p == 't')
		p++;
	if (*p && strncmp(p, ".so", 3))
		return false;
	*v = r;
	return true;
}

const struct py_offsets *py_offsets__get(int major, int minor)
{
	if (major != 3)
		return NULL;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (tables[i].minor == minor)
			return &tables[i];
	return NULL;
}
