"""Traced target for tests/e2e/test_gc_sampling.sh: thousands of young collections.

Prints "ready" and waits for a line on stdin; then makes and drops ROUNDS (argv[1]) x 1000
small lists (each a GC-tracked allocation, so a young collection every ~700), and prints
"done G0 G1 G2": its own gc.get_stats() collections per generation over that loop, the truth
the tracer's counts are checked against. Exits when stdin closes."""
import gc
import sys


def collections():
    return [s["collections"] for s in gc.get_stats()]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print("ready", flush=True)
    sys.stdin.readline()
    before = collections()
    for _ in range(rounds):
        batch = [[i] for i in range(1000)]
        del batch
    after = collections()
    print("done", *(a - b for a, b in zip(after, before)), flush=True)
    sys.stdin.read()


main()
