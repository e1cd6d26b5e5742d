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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak_in_80_percent_of_frames_after_30),
		cmocka_unit_test(test_alloc_and_free_each_frame_is_no_leak),
		cmocka_unit_test(test_blocks_outside_the_judged_frames_do_not_count),
		cmocka_unit_test(test_type_growing_per_frame),
		cmocka_unit_test(test_type_that_falls_back_or_jumps_once_is_no_leak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
