/* Per-frame leaks (--frame): a stack or a Python type that leaves memory behind in most frames,
 * judged in frames, not seconds. Pure C, unit-tested (tests/unit/test_frame_leaks.c). */
#ifndef MEMTRACE_FRAME_LEAKS_H
#define MEMTRACE_FRAME_LEAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A leak needs this many judged frames, of which this share left memory behind ("most"). */
#define FRAME_LEAK_MIN_FRAMES 30
#define FRAME_LEAK_MIN_SHARE 0.5
/* Frames judged: at most the last FRAME_LEAK_WINDOW, less the FRAME_LEAK_SETTLE newest
 * (what they allocated may be freed by the next frame: double buffers, deferred frees). */
#define FRAME_LEAK_WINDOW 512
#define FRAME_LEAK_SETTLE 2
/* A count sampled once per interval needs this many rising samples: one step up between two
 * snapshots (a type made once, in some frame of that interval) is no pattern. */
#define FRAME_LEAK_MIN_RISES 3

struct frame_span {
	uint64_t start_ns, end_ns;   /* CLOCK_MONOTONIC; a frame holds (start, end] */
};

/* One live (outstanding) allocation of a stack, timestamped by the allocator probe. */
struct frame_block {
	int stack_id;
	uint64_t alloc_ns, bytes;
};

struct frame_leak {
	bool is_leak;
	size_t frames;               /* frames judged */
	size_t frames_left;          /* of those, the frames that left memory behind */
	size_t rises;                /* judge_counts: samples above every earlier one */
	double left;                 /* bytes (objects) still live from the judged frames */
	double per_frame;            /* left / frames */
};

/* A stack's live blocks (any order) against the judged frames (ascending, not overlapping):
 * a frame left memory behind when a block allocated in it is still live. */
void frame_leaks__judge_blocks(const struct frame_span *frames, size_t frame_count,
			       const struct frame_block *blocks, size_t block_count,
			       struct frame_leak *out);

/* A live count (a Python type's) sampled after frames[i] frames (ascending): a step left
 * something behind when the count rose above every earlier sample; its frames all count
 * (with a sample per frame, each frame is judged; with one per interval, the interval's
 * frames), and FRAME_LEAK_MIN_RISES such steps are needed. A count that rises and falls
 * back leaves nothing. */
void frame_leaks__judge_counts(const uint64_t *frames, const double *counts, size_t n,
			       struct frame_leak *out);

/* The frames a process ended lately (a ring), for judging. */
struct frame_window {
	struct frame_span spans[FRAME_LEAK_WINDOW + FRAME_LEAK_SETTLE];
	size_t count, next;
};

void frame_window__add(struct frame_window *w, uint64_t start_ns, uint64_t end_ns);
/* The judged frames (all but the FRAME_LEAK_SETTLE newest), oldest first, into out
 * (FRAME_LEAK_WINDOW spans); returns their number. */
size_t frame_window__judged(const struct frame_window *w, struct frame_span *out);

typedef void (*frame_leak_cb)(void *ctx, int stack_id, const struct frame_leak *leak);
/* Judges the blocks of every stack (blocks is sorted by stack id in place); cb gets each
 * stack found leaking. */
void frame_leaks__by_stack(const struct frame_span *frames, size_t frame_count,
			   struct frame_block *blocks, size_t block_count, frame_leak_cb cb,
			   void *ctx);

#endif
