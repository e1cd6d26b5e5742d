#include "analysis/survival_watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct survival_stack_base {
	int stack_id;
	uint64_t allocs, live_allocs, live_bytes;
};

struct survival_type_track {
	char name[sizeof(((struct python_type_report *)0)->name)];
	uint64_t base_live, base_live_bytes, base_created;
	uint64_t last_live;
	size_t steps, rising_steps;
	bool seen;                   /* in the report being read */
};

void survival_watch__init(struct survival_watch *w, uint64_t warmup_ns)
{
	memset(w, 0, sizeof(*w));
	w->warmup_ns = warmup_ns;
}

static bool native_exact(const struct process_report *r)
{
	return r->native_traced && !r->native_windowed;
}

static struct survival_type_track *find_type(const struct survival_watch *w, const char *name)
{
	for (size_t i = 0; i < w->type_count; i++)
		if (!strcmp(w->types[i].name, name))
			return &w->types[i];
	return NULL;
}

/* A type first counted after warm-up had none then. */
static struct survival_type_track *add_type(struct survival_watch *w, const char *name)
{
	struct survival_type_track *t;

	if (w->type_count == w->type_capacity) {
		size_t cap = w->type_capacity ? w->type_capacity * 2 : 64;
		struct survival_type_track *more = realloc(w->types, cap * sizeof(*more));

		if (!more)
			return NULL;
		w->types = more;
		w->type_capacity = cap;
	}
	t = memset(&w->types[w->type_count++], 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	return t;
}

static void take_base(struct survival_watch *w, const struct process_report *r)
{
	w->taken = true;
	w->taken_ns = r->elapsed_ns;
	if (native_exact(r) && r->stack_count &&
	    (w->stacks = calloc(r->stack_count, sizeof(*w->stacks)))) {
		for (size_t i = 0; i < r->stack_count; i++)
			w->stacks[i] = (struct survival_stack_base){
				r->stacks[i].stack_id, r->stacks[i].allocs, r->stacks[i].live_allocs,
				r->stacks[i].live_bytes,
			};
		w->stack_count = r->stack_count;
	}
	for (size_t i = 0; r->python && i < r->python->type_count; i++) {
		const struct python_type_report *ty = &r->python->types[i];
		struct survival_type_track *t;

		if (!ty->has_live || !(t = add_type(w, ty->name)))
			continue;
		t->base_live = t->last_live = ty->live;
		t->base_live_bytes = ty->live_bytes;
		t->base_created = ty->created;
	}
}

/* Each type's count at this report against the last: one step, rising unless it fell (a
 * type the census no longer lists fell to none). */
static void track_types(struct survival_watch *w, const struct python_report *py)
{
	for (size_t i = 0; i < w->type_count; i++)
		w->types[i].seen = false;
	for (size_t i = 0; i < py->type_count; i++) {
		const struct python_type_report *ty = &py->types[i];
		struct survival_type_track *t;

		if (!ty->has_live)
			continue;
		t = find_type(w, ty->name);
		if (!t && !(t = add_type(w, ty->name)))
			continue;
		t->seen = true;
		t->steps++;
		t->rising_steps += ty->live >= t->last_live;
		t->last_live = ty->live;
	}
	for (size_t i = 0; i < w->type_count; i++) {
		struct survival_type_track *t = &w->types[i];

		if (t->seen || !t->last_live)
			continue;
		t->steps++;
		t->last_live = 0;
	}
}

void survival_watch__interval(struct survival_watch *w, const struct process_report *r)
{
	if (r->exited)
		return;
	if (!w->taken) {
		if (r->elapsed_ns >= w->warmup_ns)
			take_base(w, r);
		return;
	}
	if (r->python && r->python->objects_known) {
		track_types(w, r->python);
		w->census_ns = r->elapsed_ns;
	}
}

static const struct survival_stack_base *find_stack(const struct survival_watch *w, int id)
{
	for (size_t i = 0; i < w->stack_count; i++)
		if (w->stacks[i].stack_id == id)
			return &w->stacks[i];
	return NULL;
}

static int exit_stacks(const struct survival_watch *w, const struct process_report *r,
		       struct survival_candidate **out, size_t *count)
{
	if (!native_exact(r) || !r->stack_count)
		return 0;
	if (!(*out = calloc(r->stack_count, sizeof(**out))))
		return -ENOMEM;
	for (size_t i = 0; i < r->stack_count; i++) {
		const struct stack_report *st = &r->stacks[i];
		const struct survival_stack_base *b = find_stack(w, st->stack_id);
		struct survival_stack_base none = { 0 };

		if (!b)   /* not among the top stacks at warm-up: made since attach */
			b = &none;
		(*out)[(*count)++] = (struct survival_candidate){
			.index = i,
			.span_s = (r->elapsed_ns - w->taken_ns) / 1e9,
			.counts = {
				.made = (double)st->allocs - (double)b->allocs,
				.survived = (double)st->live_allocs - (double)b->live_allocs,
				.survived_bytes = (double)st->live_bytes - (double)b->live_bytes,
			},
		};
	}
	return 0;
}

static int exit_types(const struct survival_watch *w, const struct process_report *r,
		      struct survival_candidate **out, size_t *count)
{
	const struct python_report *py = r->python;

	if (!py || !py->type_count)
		return 0;
	if (!(*out = calloc(py->type_count, sizeof(**out))))
		return -ENOMEM;
	for (size_t i = 0; i < py->type_count; i++) {
		const struct python_type_report *ty = &py->types[i];
		const struct survival_type_track *t = find_type(w, ty->name);
		struct survival_counts *c;

		if (!ty->has_live || !t)
			continue;
		c = &(*out)[*count].counts;
		(*out)[*count].span_s = ty->has_events || !w->census_ns ?
			(r->elapsed_ns - w->taken_ns) / 1e9 : (w->census_ns - w->taken_ns) / 1e9;
		(*out)[(*count)++].index = i;
		c->objects = true;
		c->survived = (double)ty->live - (double)t->base_live;
		c->survived_bytes = (double)ty->live_bytes - (double)t->base_live_bytes;
		c->made = ty->has_events ? (double)ty->created - (double)t->base_created : -1;
		c->steps = t->steps;
		c->rising_steps = t->rising_steps;
	}
	return 0;
}

int survival_watch__exit(const struct survival_watch *w, const struct process_report *r,
			 struct survival_candidate **stacks, size_t *stack_count,
			 struct survival_candidate **types, size_t *type_count)
{
	*stacks = *types = NULL;
	*stack_count = *type_count = 0;
	if (!w->taken)
		return -EAGAIN;
	if (exit_stacks(w, r, stacks, stack_count) || exit_types(w, r, types, type_count)) {
		free(*stacks);
		*stacks = NULL;
		*stack_count = 0;
		return -ENOMEM;
	}
	return 0;
}

void survival_watch__free(struct survival_watch *w)
{
	free(w->stacks);
	free(w->types);
	memset(w, 0, sizeof(*w));
}
