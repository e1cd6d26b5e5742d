/* Per-frame leaks (analysis/frame_leaks.c) on synthetic frames, blocks and counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analysis/frame_leaks.h"

#define MS 1000000ull
#define FRAMES 100

static struct frame_span frames[FRAMES];

/* 16 ms frames, back to back from t = 1 s. */
static void make_frames(void)
{
	for (size_t k = 0; k < FRAMES; k++)
		frames[k] = (struct frame_span){ 1000 * MS + k * 16 * MS, 1000 * MS + (k + 1) * 16 * MS };
}

/* One 512-B block kept in 4 of every 5 frames (80%), allocated mid-frame. */
static size_t leak_in_most_frames(size_t frame_count, struct frame_block *blocks)
{
	size_t n = 0;

	for (size_t k = 0; k < frame_count; k++)
		if (k % 5 != 4)
			blocks[n++] = (struct frame_block){ 7, frames[k].start_ns + 8 * MS, 512 };
	return n;
}

static void test_leak_in_80_percent_of_frames_after_30(void **state)
{
	struct frame_block blocks[FRAMES];
	struct frame_leak r;
	size_t n;

	(void)state;
	make_frames();
	n = leak_in_most_frames(FRAME_LEAK_MIN_FRAMES - 1, blocks);
	frame_leaks__judge_blocks(frames, FRAME_LEAK_MIN_FRAMES - 1, blocks, n, &r);
	assert_false(r.is_leak);                 /* 29 frames: not yet */
	assert_int_equal(r.frames_left, 24);

	n = leak_in_most_frames(FRAME_LEAK_MIN_FRAMES, blocks);
	frame_leaks__judge_blocks(frames, FRAME_LEAK_MIN_FRAMES, blocks, n, &r);
	assert_true(r.is_leak);
	assert_int_equal(r.frames, 30);
	assert_int_equal(r.frames_left, 24);
	assert_true(r.left == 24 * 512);
	assert_true(r.per_frame > 409.59 && r.per_frame < 409.61);   /* 0.8 x 512 */
}

static void test_alloc_and_free_each_frame_is_no_leak(void **state)
{
	struct frame_block blocks[8];
	struct frame_leak r;

	(void)state;
	make_frames();
	/* Everything freed within its frame: no live block at all. */
	frame_leaks__judge_blocks(frames, FRAMES, NULL, 0, &r);
	assert_false(r.is_leak);
	assert_int_equal(r.frames_left, 0);
	/* Kept for 5 frames then freed (a history ring): only the newest frames hold blocks. */
	for (size_t i = 0; i < 5; i++)
		blocks[i] = (struct frame_block){ 3, frames[FRAMES - 5 + i].start_ns + MS, 4096 };
	frame_leaks__judge_blocks(frames, FRAMES, blocks, 5, &r);
	assert_false(r.is_leak);
	assert_int_equal(r.frames_left, 5);
	/* One large block kept once (a cache filled at start): one frame, not most. */
	blocks[0] = (struct frame_block){ 3, frames[2].start_ns + MS, 1 << 20 };
	frame_leaks__judge_blocks(frames, FRAMES, blocks, 1, &r);
	assert_false(r.is_leak);
}

static void test_blocks_outside_the_judged_frames_do_not_count(void **state)
{
	struct frame_block blocks[3];
	struct frame_leak r;

	(void)state;
	make_frames();
	blocks[0] = (struct frame_block){ 1, frames[0].start_ns - MS, 100 };     /* before */
	blocks[1] = (struct frame_block){ 1, frames[FRAMES - 1].end_ns + MS, 100 }; /* after */
	blocks[2] = (struct frame_block){ 1, frames[10].end_ns, 100 };  /* a frame's last instant */
	frame_leaks__judge_blocks(frames, FRAMES, blocks, 3, &r);
	assert_int_equal(r.frames_left, 1);
	assert_true(r.left == 100);
}

static void test_type_growing_per_frame(void **state)
{
	uint64_t seq[FRAMES];
	double count[FRAMES];
	struct frame_leak r;

	(void)state;
	for (size_t k = 0; k < FRAMES; k++) {
		seq[k] = k + 1;
		count[k] = 1000 + 3.0 * (double)k;     /* three objects kept per frame */
	}
	frame_leaks__judge_counts(seq, count, FRAME_LEAK_MIN_FRAMES, &r);
	assert_false(r.is_leak);                 /* 29 steps: not yet */
	frame_leaks__judge_counts(seq, count, FRAME_LEAK_MIN_FRAMES + 1, &r);
	assert_true(r.is_leak);
	assert_int_equal(r.frames, 30);
	assert_true(r.per_frame == 3);
	/* Sampled once per 10 frames (an interval), the same growth. */
	{
		uint64_t s[10];
		double c[10];

		for (size_t i = 0; i < 10; i++) {
			s[i] = 10 * i + 1;
			c[i] = 1000 + 30.0 * (double)i;
		}
		frame_leaks__judge_counts(s, c, 10, &r);
		assert_true(r.is_leak);
		assert_int_equal(r.frames, 90);
		assert_true(r.per_frame == 3);
		/* Two snapshots 48 frames apart, one step up: not a pattern yet. */
		s[1] = 49;
		frame_leaks__judge_counts(s, c, 2, &r);
		assert_false(r.is_leak);
		assert_int_equal(r.frames_left, 48);
		/* Three rising snapshots after them: FRAME_LEAK_MIN_RISES. */
		s[2] = 97;
		s[3] = 145;
		frame_leaks__judge_counts(s, c, 3, &r);
		assert_false(r.is_leak);
		frame_leaks__judge_counts(s, c, 4, &r);
		assert_true(r.is_leak);
	}
}

static void test_type_that_falls_back_or_jumps_once_is_no_leak(void **state)
{
	uint64_t seq[FRAMES];
	double count[FRAMES];
	struct frame_leak r;

	(void)state;
	/* Made in one frame, freed in the next. */
	for (size_t k = 0; k < FRAMES; k++) {
		seq[k] = k + 1;
		count[k] = 1000 + (k % 2 ? 200 : 0);
	}
	frame_leaks__judge_counts(seq, count, FRAMES, &r);
	assert_false(r.is_leak);
	assert_int_equal(r.frames_left, 1);
	/* A level change: loaded once, then flat. */
	for (size_t k = 0; k < FRAMES; k++)
		count[k] = k < 40 ? 1000 : 5000;
	frame_leaks__judge_counts(seq, count, FRAMES, &r);
	assert_false(r.is_leak);
	/* A sawtooth: grows 20 frames, cleared, grows again to the same peak. */
	for (size_t k = 0; k < FRAMES; k++)
		count[k] = 1000 + (double)(k % 20);
	frame_leaks__judge_counts(seq, count, FRAMES, &r);
	assert_false(r.is_leak);
}

/* The window keeps the last frames and judges all but the FRAME_LEAK_SETTLE newest. */
static void test_window_judges_all_but_the_newest(void **state)
{
	static struct frame_window w;
	static struct frame_span out[FRAME_LEAK_WINDOW];
	size_t n;

	(void)state;
	frame_window__add(&w, 0, 10);
	frame_window__add(&w, 10, 20);
	assert_int_equal(frame_window__judged(&w, out), 0);
	frame_window__add(&w, 20, 30);
	assert_int_equal(frame_window__judged(&w, out), 1);
	assert_true(out[0].start_ns == 0 && out[0].end_ns == 10);
	for (uint64_t k = 3; k < 2000; k++)
		frame_window__add(&w, k * 10, k * 10 + 10);
	n = frame_window__judged(&w, out);
	assert_int_equal(n, FRAME_LEAK_WINDOW);
	assert_true(out[n - 1].end_ns == (2000 - FRAME_LEAK_SETTLE) * 10);   /* oldest first */
	assert_true(out[0].end_ns == (2000 - FRAME_LEAK_SETTLE - FRAME_LEAK_WINDOW + 1) * 10);
}

struct found {
	int ids[4];
	double per_frame[4];
	int count;
};

static void collect(void *ctx, int stack_id, const struct frame_leak *leak)
{
	struct found *f = ctx;

	f->ids[f->count] = stack_id;
	f->per_frame[f->count++] = leak->per_frame;
}

/* Blocks of several stacks, mixed: each judged alone; blocks with no stack never reported. */
static void test_by_stack_groups_the_blocks(void **state)
{
	static struct frame_block blocks[4 * FRAMES];
	struct found f = { .count = 0 };
	size_t n = 0;

	(void)state;
	make_frames();
	for (size_t k = 0; k < FRAMES; k++) {
		uint64_t mid = frames[k].start_ns + 8 * MS;

		blocks[n++] = (struct frame_block){ 9, mid, 512 };         /* every frame */
		blocks[n++] = (struct frame_block){ -1, mid, 64 };         /* no stack recorded */
		if (k % 4 == 0)
			blocks[n++] = (struct frame_block){ 4, mid, 100 };  /* a quarter: no */
		if (k % 4 != 0)
			blocks[n++] = (struct frame_block){ 2, mid + MS, 32 };  /* three quarters */
	}
	frame_leaks__by_stack(frames, FRAMES, blocks, n, collect, &f);
	assert_int_equal(f.count, 2);
	assert_int_equal(f.ids[0], 2);           /* ascending stack id */
	assert_true(f.per_frame[0] == 0.75 * 32);
	assert_int_equal(f.ids[1], 9);
	assert_true(f.per_frame[1] == 512);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak_in_80_percent_of_frames_after_30),
		cmocka_unit_test(test_alloc_and_free_each_frame_is_no_leak),
		cmocka_unit_test(test_blocks_outside_the_judged_frames_do_not_count),
		cmocka_unit_test(test_type_growing_per_frame),
		cmocka_unit_test(test_type_that_falls_back_or_jumps_once_is_no_leak),
		cmocka_unit_test(test_window_judges_all_but_the_newest),
		cmocka_unit_test(test_by_stack_groups_the_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
