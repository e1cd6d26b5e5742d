"""Traced target for the Python e2e tests (runs under the Python being tested).

Prints "ready" and waits for a line on stdin before each step, so the tracer can attach
first. Commands (one per line on stdin):
  make     creates and keeps known numbers of its own classes, dicts, lists and tuples
  churn    creates and drops CHURN_N instances of Churn in a loop
  types K  defines K more classes Kind<i> and keeps 3 instances of each: a census with many
           types (the JSON line sizes in docs/json.md)
  census FILE   writes Counter(type(o).__name__ for o in gc.get_objects()) as JSON to FILE
  gc K     calls gc.collect(2) K times, prints "gcwindow START_NS END_NS" (CLOCK_MONOTONIC)
  quit     exits
Every step answers "done" on stdout.
"""
import gc
import json
import sys
import time
from collections import Counter


class Keeper:
    def __init__(self, i):
        self.i = i


class Leaf:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = None
        self.b = None


class Churn:
    def __init__(self, i):
        self.payload = [i]


KEEPERS = 12000
LEAVES = 7000
DICTS = 5000
LISTS = 4000
TUPLES = 3000
CHURN_N = 50000

kept = []
kinds = []


def make():
    kept.append([Keeper(i) for i in range(KEEPERS)])
    kept.append([Leaf() for _ in range(LEAVES)])
    # A dict with an object value stays tracked; tuples of objects too.
    kept.append([{"k": []} for _ in range(DICTS)])
    kept.append([[i] for i in range(LISTS)])
    # A tuple holding only untracked objects is untracked by the next collection: hold a list.
    kept.append([([], i) for i in range(TUPLES)])


def many_types(count):
    first = len(kinds)
    for k in range(first, first + count):
        cls = type("Kind%d" % k, (), {})
        kinds.append([cls() for _ in range(3)])


def churn():
    for i in range(CHURN_N):
        c = Churn(i)
        del c


def census(path):
    # Collect first so that garbage in cycles does not count, and after writing so that the
    # writer's own cycles (json's encoder closures) are gone when the tracer looks.
    gc.collect()
    counts = Counter(type(o).__name__ for o in gc.get_objects())
    with open(path, "w") as f:
        json.dump(counts, f)
    del counts
    gc.collect()


def main():
    import os
    census(os.devnull)  # the first census imports and caches what writing one needs
    gc.collect()
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd = words[0]
        if cmd == "make":
            make()
        elif cmd == "churn":
            churn()
        elif cmd == "types":
            many_types(int(words[1]))
        elif cmd == "census":
            census(words[1])
        elif cmd == "gc":
            # The window on CLOCK_MONOTONIC, the clock of the tracer's gc events.
            start = time.monotonic_ns()
            for _ in range(int(words[1])):
                gc.collect(2)
            print("gcwindow %d %d" % (start, time.monotonic_ns()), flush=True)
        elif cmd == "quit":
            break
        print("done", flush=True)


if __name__ == "__main__":
    main()
