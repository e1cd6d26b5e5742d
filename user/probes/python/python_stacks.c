// SPDX-License-Identifier: GPL-2.0
#include "probes/python/python_stacks.h"

#include <bpf/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "python_stack.h"

bool python_stacks__configure(int configs_fd, const struct py_target *t, unsigned int depth)
{
	const struct py_stack_offsets *o = &t->off.stack;
	struct py_stack_config cfg = {
		.interp_threads_head = o->interp_threads_head,
		.thread_next = o->thread_next,
		.thread_id = o->thread_id,
		.thread_frame = o->thread_frame,
		.cframe_current_frame = o->cframe_current_frame,
		.interpreter_frames = o->interpreter_frames,
		.frame_back = o->frame_back,
		.frame_code = o->frame_code,
		.frame_instr = o->frame_instr,
		.frame_owner = o->frame_owner,
		.frame_owner_cstack = o->frame_owner_cstack,
		.max_depth = depth > PY_STACK_MAX_DEPTH ? PY_STACK_MAX_DEPTH : depth,
		.arena_size = t->off.arena_size,
	};
	__u32 tgid = (__u32)t->pid;

	if (configs_fd < 0 || !remote_read_direct(t->pid, t->runtime_addr + t->off.runtime_interp_head,
						  &cfg.interp_addr, sizeof(cfg.interp_addr)) ||
	    !cfg.interp_addr)
		return false;
	return bpf_map_update_elem(configs_fd, &tgid, &cfg, BPF_ANY) == 0;
}

bool python_stacks__read(int stacks_fd, int id, const struct py_target *t,
			 struct remote_mem *mem, struct pycode_cache *names,
			 struct python_stack *out)
{
	struct py_stack st;
	__u32 key = (__u32)id;

	memset(out, 0, sizeof(*out));
	if (stacks_fd < 0 || id < 0 || bpf_map_lookup_elem(stacks_fd, &key, &st) ||
	    st.depth > PY_STACK_MAX_DEPTH)
		return false;
	out->frames = calloc(st.depth ? st.depth : 1, sizeof(*out->frames));
	if (!out->frames)
		return false;
	for (unsigned int i = 0; i < st.depth; i++) {
		struct python_frame *f = &out->frames[out->depth];
		struct py_frame_loc loc;

		if (!pycode__resolve(names, mem, t, st.frames[i].code, st.frames[i].instr, &loc))
			continue;   /* freed since, or not a code object: left out, not guessed */
		snprintf(f->function, sizeof(f->function), "%s", loc.function);
		snprintf(f->file, sizeof(f->file), "%s", loc.file);
		f->line = loc.line;
		out->depth++;
	}
	out->truncated = st.truncated != 0;
	return true;
}
