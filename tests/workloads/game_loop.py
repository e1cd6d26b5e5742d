"""A game-like loop paced by time.sleep, for --frame clock_nanosleep (tests/e2e/test_frames_python.sh).

Prints "ready <pid>", waits for a line on stdin, runs FRAMES iterations (each builds and drops
some objects in a reference cycle, then sleeps to the next 10 ms tick), prints "done drops=N",
exits when stdin closes. N is its own drop count by --target-fps 100's rule (docs/analysis.md):
a frame, from one sleep call to the next (as --frame clock_nanosleep sees it), that lasted
more than 1.5 ticks. With a second argument "trail", each frame also keeps one Trail object
(a type that leaks per frame: tests/e2e/test_frame_leaks.sh).
"""
import os
import sys
import time

FRAMES = int(sys.argv[1]) if len(sys.argv) > 1 else 40
TRAIL = len(sys.argv) > 2 and sys.argv[2] == "trail"
TICK = 0.01
DROPPED_OVER = 1.5 * TICK


class Entity:
    def __init__(self, i):
        self.i = i
        self.pos = [float(i), 0.0]


class Trail:
    def __init__(self, frame):
        self.frame = frame


TRAILS = []


def update(frame):
    world = [Entity(i) for i in range(200)]
    # The world refers to itself: a cycle that only the GC frees, so collections run every
    # few frames (the frame lines' gc_runs).
    world.append(world)
    if TRAIL:
        TRAILS.append(Trail(frame))
    return sum(e.pos[0] for e in world[:-1]) + frame


def main():
    print("ready", os.getpid(), flush=True)
    sys.stdin.readline()
    tick = time.monotonic()
    last_sleep = None
    drops = 0
    for frame in range(FRAMES):
        update(frame)
        tick += TICK
        now = time.monotonic()
        if last_sleep is not None and now - last_sleep > DROPPED_OVER:
            drops += 1
        last_sleep = now
        time.sleep(max(0.0, tick - now))
    print("done drops=%d" % drops, flush=True)
    sys.stdin.readline()


main()
