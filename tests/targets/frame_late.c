/* Ground truth for frame timing (tests/e2e/test_frame_timing.sh): a fixed-step loop that counts
 * its own dropped frames. Each frame ends in present_frame(); the loop sleeps to the frame's
 * absolute deadline (clock_nanosleep), or skips the sleep when it is already late (the
 * catch-up frame that follows a late one). The program's rule, as a vsync'd game's: a frame is
 * dropped when present-to-present it lasted more than 1.5 budgets (docs/analysis.md).
 *   every frame:  burst(): BURST x malloc(64) + free, the work the allocator probes slow;
 *   HEAVY frames (with the argument "heavy"): burst() of HEAVY_BURST calls (under 1 ms
 *                 bare, tens of ms traced: the probes' time, not the program's);
 *   LATE frames:  stall(): spins LATE_BUDGETS budgets without allocating (really late).
 * Protocol (handshake.h): "ready <pid>", waits for a line, runs FRAMES frames of BUDGET_MS
 * (the first present_frame() starts frame 1; the frames the program judges are 2..FRAMES+1),
 * prints "done drops=D late=L sleeps=S heavy_ms=H dropped=N,N,...": S calls of clock_nanosleep
 * (the late and catch-up frames skip theirs), H the mean time of the heavy bursts, then the
 * dropped frames numbered as a --frame present_frame tracer numbers them (frame k ends at the
 * k-th call: loop iteration i is frame i + 2); exits when stdin closes. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake.h"

#define FRAMES 100
#define BUDGET_MS 20
#define BURST 20
#define HEAVY_BURST 12000
#define LATE_BUDGETS 2.2
#define DROP_FACTOR 1.5

void *volatile block;
volatile unsigned long presented;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int is_late(int frame) { return frame == 30 || frame == 70; }
static int heavy_frames;

static int is_heavy(int frame) { return heavy_frames && (frame == 50 || frame == 90); }

__attribute__((noinline)) void burst(int calls)
{
	for (int i = 0; i < calls; i++) {
		block = malloc(64);
		free(block);
	}
}

__attribute__((noinline)) void stall(double ms)
{
	double until = now_ms() + ms;

	while (now_ms() < until)
		;
}

__attribute__((noinline)) void present_frame(void)
{
	presented++;
}

int main(int argc, char **argv)
{
	struct timespec next;
	double last_present, heavy_ms = 0;
	int drops = 0, late = 0, heavy = 0, sleeps = 0;
	char line[128], list[4 * FRAMES] = "";

	heavy_frames = argc > 1 && !strcmp(argv[1], "heavy");
	mallopt(M_TOP_PAD, 16 << 20);
	free(malloc(1));
	say_ready();
	wait_line();
	present_frame();
	last_present = now_ms();
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (int frame = 0; frame < FRAMES; frame++) {
		double t, present;

		if (is_heavy(frame)) {
			t = now_ms();
			burst(HEAVY_BURST);
			heavy_ms += now_ms() - t;
			heavy++;
		} else {
			burst(BURST);
		}
		if (is_late(frame)) {
			stall(LATE_BUDGETS * BUDGET_MS);
			late++;
		}
		next.tv_nsec += BUDGET_MS * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		t = now_ms();
		if (t < next.tv_sec * 1e3 + next.tv_nsec / 1e6) {   /* late: no sleep, catch up */
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
			sleeps++;
		}
		present = now_ms();
		present_frame();
		if (present - last_present > DROP_FACTOR * BUDGET_MS) {
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d",
				 drops ? "," : "", frame + 2);
			drops++;
		}
		last_present = present;
	}
	snprintf(line, sizeof(line), "done drops=%d late=%d sleeps=%d heavy_ms=%.3f dropped=", drops,
		 late, sleeps, heavy ? heavy_ms / heavy : 0);
	say(line);
	say(list);
	say("\n");
	wait_line();
	return 0;
}
