"""A game-like loop paced by time.sleep, for --frame clock_nanosleep (tests/e2e/test_frames_python.sh).

Prints "ready <pid>", waits for a line on stdin, runs FRAMES iterations (each builds and drops
some objects in a reference cycle, then sleeps to the next 10 ms tick), prints "done", exits when stdin closes.
"""
import os
import sys
import time

FRAMES = int(sys.argv[1]) if len(sys.argv) > 1 else 40


class Entity:
    def __init__(self, i):
        self.i = i
        self.pos = [float(i), 0.0]


def update(frame):
    world = [Entity(i) for i in range(200)]
    # The world refers to itself: a cycle that only the GC frees, so collections run every
    # few frames (the frame lines' gc_runs).
    world.append(world)
    return sum(e.pos[0] for e in world[:-1]) + frame


def main():
    print("ready", os.getpid(), flush=True)
    sys.stdin.readline()
    tick = time.monotonic()
    for frame in range(FRAMES):
        update(frame)
        tick += 0.01
        time.sleep(max(0.0, tick - time.monotonic()))
    print("done", flush=True)
    sys.stdin.readline()


main()
