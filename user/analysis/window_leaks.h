/* The default mode's native leak verdict: the blocks a window saw allocated and still live
 * at its end (its last moments aside) stay counted until a later window sees them freed; a
 * stack whose live bytes grew by at least min_bytes in two windows running holds on to what
 * it allocates, window after window: a leak. Plain C over the stacks' live bytes. */
#ifndef MEMTRACE_WINDOW_LEAKS_H
#define MEMTRACE_WINDOW_LEAKS_H

#include <stddef.h>
#include <stdint.h>

struct window_stack_live {
	int stack_id;
	uint64_t live_bytes;
};

struct window_stack;
struct window_leaks {
	struct window_stack *items;
	size_t count, capacity;
};

/* A stack found leaking at a window's close: grown in that window, live now, and how many
 * windows running it grew. */
typedef void (*window_leak_fn)(void *ctx, int stack_id, uint64_t grown, uint64_t live,
			       unsigned int windows);

/* At a window's close: the top stacks' live bytes (a stack left out did not grow). Calls
 * found for each stack that grew by min_bytes or more in this window and the one before.
 * Returns 0 or -ENOMEM. */
int window_leaks__close(struct window_leaks *w, const struct window_stack_live *stacks,
			size_t count, uint64_t min_bytes, window_leak_fn found, void *ctx);
void window_leaks__free(struct window_leaks *w);

#endif
