// SPDX-License-Identifier: GPL-2.0
#include "analysis/frame_leaks.h"

#include <stdlib.h>
#include <string.h>

static void decide(struct frame_leak *out)
{
	out->per_frame = out->frames ? out->left / (double)out->frames : 0;
	out->is_leak = out->frames >= FRAME_LEAK_MIN_FRAMES && out->left > 0 &&
		       out->frames_left >= FRAME_LEAK_MIN_SHARE * (double)out->frames;
}

/* The frame holding t, or frame_count when none does. */
static size_t frame_of(const struct frame_span *frames, size_t frame_count, uint64_t t)
{
	size_t lo = 0, hi = frame_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (frames[mid].end_ns < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < frame_count && t > frames[lo].start_ns ? lo : frame_count;
}

void frame_leaks__judge_blocks(const struct frame_span *frames, size_t frame_count,
			       const struct frame_block *blocks, size_t block_count,
			       struct frame_leak *out)
{
	bool *left = frame_count ? calloc(frame_count, sizeof(*left)) : NULL;

	memset(out, 0, sizeof(*out));
	out->frames = frame_count;
	for (size_t b = 0; b < block_count && left; b++) {
		size_t k = frame_of(frames, frame_count, blocks[b].alloc_ns);

		if (k == frame_count)
			continue;
		out->frames_left += !left[k];
		left[k] = true;
		out->left += (double)blocks[b].bytes;
	}
	free(left);
	decide(out);
}

void frame_leaks__judge_counts(const uint64_t *frames, const double *counts, size_t n,
			       struct frame_leak *out)
{
	double high;

	memset(out, 0, sizeof(*out));
	if (n < 2)
		return;
	high = counts[0];
	out->frames = frames[n - 1] - frames[0];
	for (size_t i = 1; i < n; i++) {
		if (counts[i] > high) {
			out->frames_left += frames[i] - frames[i - 1];
			out->rises++;
			high = counts[i];
		}
	}
	out->left = counts[n - 1] - counts[0];
	decide(out);
	out->is_leak &= out->rises >= FRAME_LEAK_MIN_RISES;
}

void frame_window__add(struct frame_window *w, uint64_t start_ns, uint64_t end_ns)
{
	const size_t cap = sizeof(w->spans) / sizeof(w->spans[0]);

	w->spans[w->next] = (struct frame_span){ start_ns, end_ns };
	w->next = (w->next + 1) % cap;
	if (w->count < cap)
		w->count++;
}

size_t frame_window__judged(const struct frame_window *w, struct frame_span *out)
{
	const size_t cap = sizeof(w->spans) / sizeof(w->spans[0]);
	size_t oldest = (w->next + cap - w->count) % cap;
	size_t n = w->count > FRAME_LEAK_SETTLE ? w->count - FRAME_LEAK_SETTLE : 0;

	for (size_t i = 0; i < n; i++)
		out[i] = w->spans[(oldest + i) % cap];
	return n;
}

static int by_stack(const void *a, const void *b)
{
	const struct frame_block *x = a, *y = b;

	return (x->stack_id > y->stack_id) - (x->stack_id < y->stack_id);
}

void frame_leaks__by_stack(const struct frame_span *frames, size_t frame_count,
			   struct frame_block *blocks, size_t block_count, frame_leak_cb cb,
			   void *ctx)
{
	qsort(blocks, block_count, sizeof(*blocks), by_stack);
	for (size_t lo = 0, hi; lo < block_count; lo = hi) {
		struct frame_leak leak;

		for (hi = lo + 1; hi < block_count && blocks[hi].stack_id == blocks[lo].stack_id; hi++)
			;
		frame_leaks__judge_blocks(frames, frame_count, blocks + lo, hi - lo, &leak);
		if (leak.is_leak && blocks[lo].stack_id >= 0)   /* < 0: no stack recorded */
			cb(ctx, blocks[lo].stack_id, &leak);
	}
}
