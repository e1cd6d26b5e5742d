"""Python target for tests/e2e/test_analysis.sh: grows known classes at known moments.

Prints "ready <pid>", then reads commands, one a line, and answers each with "done":
  grow N       creates and keeps N more Widget instances
  drop         drops every Widget (and collects)
  leak SECONDS every 100 ms (on an absolute clock) keeps PER_TICK more Leaky instances, and
               replaces the PER_TICK Steady instances it holds by new ones (a flat count)
It exits when stdin closes.
"""
import gc
import os
import sys
import time

PER_TICK = 200
TICK_S = 0.1


class Widget:
    def __init__(self, i):
        self.i = i


class Leaky:
    def __init__(self, i):
        self.i = i


class Steady:
    def __init__(self, i):
        self.i = i


widgets = []
leaked = []
steady = []


def leak(seconds):
    global steady
    tick = time.monotonic()
    for _ in range(int(round(seconds / TICK_S))):
        leaked.extend(Leaky(i) for i in range(PER_TICK))
        steady = [Steady(i) for i in range(PER_TICK)]
        tick += TICK_S
        time.sleep(max(0.0, tick - time.monotonic()))


def main():
    print("ready", os.getpid(), flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["grow"]:
            widgets.extend(Widget(i) for i in range(int(words[1])))
        elif words[:1] == ["drop"]:
            widgets.clear()
            gc.collect()
        elif words[:1] == ["leak"]:
            leak(float(words[1]))
        print("done", flush=True)


main()
