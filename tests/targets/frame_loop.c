/* Ground truth for --frame: a game-like loop whose frames make known allocations.
 * Protocol (as alloc_exact.c): prints "ready <pid>", reads a line ("go"), runs FRAMES frames
 * of FRAME_NS each, prints "done", exits when stdin closes. With the argument "clean" it
 * leaks nothing ("leak": the default); a second and third argument set the number of frames
 * (at most MAX_FRAMES) and their length in ms (tests/e2e/test_frame_leaks.sh). Per frame (tests/e2e/test_frames.sh checks these numbers):
 *   update_world: TEMP_BLOCKS x malloc(TEMP_SIZE), all freed; cache_entity: one
 *                 malloc(LEAK_SIZE) kept (the leak; not in "clean" mode, which frees it)
 *   draw_scene:   DRAW_BLOCKS x malloc(DRAW_SIZE), all freed
 *   render_frame: presents the frame (no allocation): each call ends one frame
 * Frame SPIKE_FRAME (0-based) also allocates SPIKE_BLOCKS x SPIKE_SIZE in update_world. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "handshake.h"
#define FRAMES 150
#define MAX_FRAMES 4096
#define FRAME_NS 10000000L
#define TEMP_BLOCKS 10
#define TEMP_SIZE 1000
#define LEAK_SIZE 512
#define DRAW_BLOCKS 2
#define DRAW_SIZE 256
#define SPIKE_FRAME 40
#define SPIKE_BLOCKS 16
#define SPIKE_SIZE 65536

void *volatile temp[SPIKE_BLOCKS + TEMP_BLOCKS];
void *volatile leaked[MAX_FRAMES];
volatile int presented;
static int clean;

__attribute__((noinline)) void cache_entity(int frame)
{
	leaked[frame] = malloc(LEAK_SIZE);
	if (clean)
		free(leaked[frame]);
}

__attribute__((noinline)) void update_world(int frame)
{
	int n = 0;

	for (int i = 0; i < TEMP_BLOCKS; i++)
		temp[n++] = malloc(TEMP_SIZE);
	if (frame == SPIKE_FRAME)
		for (int i = 0; i < SPIKE_BLOCKS; i++)
			temp[n++] = malloc(SPIKE_SIZE);
	for (int i = 0; i < n; i++)
		free(temp[i]);
	cache_entity(frame);
}

__attribute__((noinline)) void draw_scene(void)
{
	for (int i = 0; i < DRAW_BLOCKS; i++)
		temp[i] = malloc(DRAW_SIZE);
	for (int i = 0; i < DRAW_BLOCKS; i++)
		free(temp[i]);
}

__attribute__((noinline)) void render_frame(void)
{
	presented++;
}

int main(int argc, char **argv)
{
	struct timespec next;
	int frames = argc > 2 ? atoi(argv[2]) : FRAMES;
	long frame_ns = argc > 3 ? atol(argv[3]) * 1000000L : FRAME_NS;

	clean = argc > 1 && !strcmp(argv[1], "clean");
	if (frames < 1 || frames > MAX_FRAMES || frame_ns < 1000000L || frame_ns >= 1000000000L) {
		fprintf(stderr, "usage: frame_loop [clean|leak] [FRAMES (1-%d) [FRAME_MS]]\n",
			MAX_FRAMES);
		return 2;
	}
	mallopt(M_TOP_PAD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	free(malloc(1));

	say_ready();
	wait_line();
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (int frame = 0; frame < frames; frame++) {
		update_world(frame);
		draw_scene();
		next.tv_nsec += frame_ns;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		render_frame();
	}
	say("done\n");
	wait_line();
	return 0;
}
