#include "analysis/survival_watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One stack (its live bytes move) or Python type (its live count): figures at warm-up (zero
 * for one first seen after), and how it moved at each report after. */
struct survival_track {
	bool python_type;
	int stack_id;
	char name[sizeof(((struct python_type_report *)0)->name)];
	uint64_t base_made, base_live, base_bytes;   /* made: allocations, or objects created */
	uint64_t last;
	size_t steps, rising_steps, falling_steps;
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

static struct survival_track *find_track(const struct survival_watch *w, bool python_type,
					 int stack_id, const char *name)
{
	for (size_t i = 0; i < w->track_count; i++) {
		struct survival_track *t = &w->tracks[i];

		if (t->python_type == python_type &&
		    (python_type ? !strcmp(t->name, name) : t->stack_id == stack_id))
			return t;
	}
	return NULL;
}

static struct survival_track *add_track(struct survival_watch *w, bool python_type,
					int stack_id, const char *name)
{
	struct survival_track *t;

	if (w->track_count == w->track_capacity) {
		size_t cap = w->track_capacity ? w->track_capacity * 2 : 64;
		struct survival_track *more = realloc(w->tracks, cap * sizeof(*more));

		if (!more)
			return NULL;
		w->tracks = more;
		w->track_capacity = cap;
	}
	t = memset(&w->tracks[w->track_count++], 0, sizeof(*t));
	t->python_type = python_type;
	t->stack_id = stack_id;
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "");
	return t;
}

static struct survival_track *track_of(struct survival_watch *w, bool python_type, int stack_id,
				       const char *name)
{
	struct survival_track *t = find_track(w, python_type, stack_id, name);

	return t ? t : add_track(w, python_type, stack_id, name);
}

static void step(struct survival_track *t, uint64_t now)
{
	t->seen = true;
	t->steps++;
	t->rising_steps += now > t->last;
	t->falling_steps += now < t->last;
	t->last = now;
}

static void take_base(struct survival_watch *w, const struct process_report *r)
{
	w->taken = true;
	w->taken_ns = r->elapsed_ns;
	for (size_t i = 0; native_exact(r) && i < r->stack_count; i++) {
		const struct stack_report *st = &r->stacks[i];
		struct survival_track *t = add_track(w, false, st->stack_id, NULL);

		if (!t)
			return;
		t->base_made = st->allocs;
		t->base_live = st->live_allocs;
		t->base_bytes = t->last = st->live_bytes;
	}
	for (size_t i = 0; r->python && i < r->python->type_count; i++) {
		const struct python_type_report *ty = &r->python->types[i];
		struct survival_track *t;

		if (!ty->has_live || !(t = add_track(w, true, -1, ty->name)))
			continue;
		t->base_made = ty->created;
		t->base_live = t->last = ty->live;
		t->base_bytes = ty->live_bytes;
	}
}

/* Each stack and type at this report against the last. A type the census no longer lists
 * fell to none; a stack out of the top stacks is not known. */
static void track(struct survival_watch *w, const struct process_report *r)
{
	bool census = r->python && r->python->objects_known;
	struct survival_track *t;

	for (size_t i = 0; i < w->track_count; i++)
		w->tracks[i].seen = false;
	for (size_t i = 0; native_exact(r) && i < r->stack_count; i++)
		if ((t = track_of(w, false, r->stacks[i].stack_id, NULL)))
			step(t, r->stacks[i].live_bytes);
	for (size_t i = 0; census && i < r->python->type_count; i++) {
		const struct python_type_report *ty = &r->python->types[i];

		if (ty->has_live && (t = track_of(w, true, -1, ty->name)))
			step(t, ty->live);
	}
	for (size_t i = 0; census && i < w->track_count; i++) {
		t = &w->tracks[i];
		if (t->python_type && !t->seen && t->last)
			step(t, 0);
	}
	if (census)
		w->census_ns = r->elapsed_ns;
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
	track(w, r);
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
		const struct survival_track *t = find_track(w, false, st->stack_id, NULL);
		struct survival_track none = { 0 };
		struct survival_counts *c = &(*out)[*count].counts;

		if (!t)   /* never among the top stacks: made since attach, no moves seen */
			t = &none;
		(*out)[*count].index = i;
		(*out)[(*count)++].span_s = (r->elapsed_ns - w->taken_ns) / 1e9;
		c->made = (double)st->allocs - (double)t->base_made;
		c->survived = (double)st->live_allocs - (double)t->base_live;
		c->survived_bytes = (double)st->live_bytes - (double)t->base_bytes;
		/* the exit is one more step */
		c->steps = t->steps + 1;
		c->rising_steps = t->rising_steps + (st->live_bytes > t->last);
		c->falling_steps = t->falling_steps + (st->live_bytes < t->last);
	}
	return 0;
}

/* An exited interpreter's types are those of its last census: no step more. */
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
		const struct survival_track *t = find_track(w, true, -1, ty->name);
		struct survival_counts *c = &(*out)[*count].counts;

		if (!ty->has_live || !t)
			continue;
		(*out)[*count].index = i;
		(*out)[(*count)++].span_s = ty->has_events || !w->census_ns ?
			(r->elapsed_ns - w->taken_ns) / 1e9 : (w->census_ns - w->taken_ns) / 1e9;
		c->objects = true;
		c->made = ty->has_events ? (double)ty->created - (double)t->base_made : -1;
		c->survived = (double)ty->live - (double)t->base_live;
		c->survived_bytes = (double)ty->live_bytes - (double)t->base_bytes;
		c->steps = t->steps;
		c->rising_steps = t->rising_steps;
		c->falling_steps = t->falling_steps;
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
	free(w->tracks);
	memset(w, 0, sizeof(*w));
}
