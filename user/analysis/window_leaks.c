#include "analysis/window_leaks.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "util/grow.h"

struct window_stack {
	int stack_id;
	uint64_t live_bytes;         /* at the last close that listed it */
	unsigned int grew;           /* windows running that it grew by min_bytes */
	bool listed;                 /* in this close's list */
};

static struct window_stack *find(struct window_leaks *w, int stack_id)
{
	for (size_t i = 0; i < w->count; i++)
		if (w->items[i].stack_id == stack_id)
			return &w->items[i];
	return NULL;
}

int window_leaks__close(struct window_leaks *w, const struct window_stack_live *stacks,
			size_t count, uint64_t min_bytes, window_leak_fn found, void *ctx)
{
	for (size_t i = 0; i < w->count; i++)
		w->items[i].listed = false;
	for (size_t i = 0; i < count; i++) {
		struct window_stack *s = find(w, stacks[i].stack_id);
		uint64_t live = stacks[i].live_bytes, grown;

		if (!s) {
			if (grow_for_one((void **)&w->items, &w->capacity, w->count,
					 sizeof(*w->items)))
				return -ENOMEM;
			s = &w->items[w->count++];
			*s = (struct window_stack){ .stack_id = stacks[i].stack_id };
		}
		s->listed = true;
		grown = live > s->live_bytes ? live - s->live_bytes : 0;
		s->grew = grown >= min_bytes && grown ? s->grew + 1 : 0;
		s->live_bytes = live;
		if (s->grew >= 2 && found)
			found(ctx, s->stack_id, grown, live, s->grew);
	}
	for (size_t i = 0; i < w->count; i++)
		if (!w->items[i].listed)
			w->items[i].grew = 0;
	return 0;
}

void window_leaks__free(struct window_leaks *w)
{
	free(w->items);
	*w = (struct window_leaks){ 0 };
}
