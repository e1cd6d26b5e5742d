// SPDX-License-Identifier: GPL-2.0
/* Heap growth by stack, and Python stacks wherever a stack appears (docs/json.md). */
#include "output/json/json_sections.h"

static const char *const growth_kind_names[HEAP_GROWTH_KINDS] = {
	[HEAP_GROWTH_BRK] = "brk",
	[HEAP_GROWTH_ARENA] = "pymalloc_arena",
	[HEAP_GROWTH_MMAP] = "mmap",
};

void json_write_python_stack(struct json_writer *w, const struct python_stack *st)
{
	jsonw_name(w, "python_stack");
	jsonw_start_array(w);
	for (size_t i = 0; i < st->depth; i++) {
		const struct python_frame *f = &st->frames[i];

		jsonw_start_object(w);
		jsonw_string_field(w, "function", f->function);
		jsonw_string_field(w, "file", f->file);
		if (f->line >= 0)
			jsonw_int_field(w, "line", f->line);
		else
			jsonw_null_field(w, "line");
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_bool_field(w, "python_stack_truncated", st->truncated);
}

static void write_growth(struct json_writer *w, const struct heap_growth_report *g, bool native)
{
	jsonw_start_object(w);
	jsonw_uint_field(w, "bytes", g->bytes);
	jsonw_uint_field(w, "events", g->events);
	jsonw_name(w, "kinds");
	jsonw_start_array(w);
	for (int k = 0; k < HEAP_GROWTH_KINDS; k++)
		if (g->kinds & (1u << k))
			jsonw_string(w, growth_kind_names[k]);
	jsonw_end_array(w);
	json_write_python_stack(w, &g->python);
	if (native)
		jsonw_string_array_field(w, "frames", g->frames, g->depth);
	jsonw_end_object(w);
}

void json_write_heap_growth(struct json_writer *w, const struct process_report *r)
{
	if (!r->growth_known)
		return;
	jsonw_name(w, "heap_growth");
	jsonw_start_array(w);
	for (size_t i = 0; i < r->growth_count; i++)
		write_growth(w, &r->growth[i], true);
	jsonw_end_array(w);
	jsonw_uint_field(w, "heap_growth_lost", r->growth_lost);
}

void json_write_python_growth(struct json_writer *w, const struct process_report *r)
{
	if (!r->growth_known)
		return;
	jsonw_name(w, "growth");
	jsonw_start_array(w);
	for (size_t i = 0; i < r->growth_count; i++)
		if (r->growth[i].python.depth)
			write_growth(w, &r->growth[i], false);
	jsonw_end_array(w);
}
