"""Python target for lifetimes per type under --python=events (tests/e2e/test_lifetimes.sh).

Prints "ready", reads one line, then makes:
  Temp      1000 instances, each dropped at once
  Held      100 instances, dropped together after 50 ms
  Kept      10 instances, kept
  Particle  4000 batches of 8 instances, each batch dropped before the next (a pool of 8)
prints "done" and exits when stdin closes.
"""
import sys
import time


class Temp:
    pass


class Held:
    pass


class Kept:
    pass


class Particle:
    pass


def main():
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(1000):
        Temp()
    held = [Held() for _ in range(100)]
    time.sleep(0.05)
    del held
    kept = [Kept() for _ in range(10)]
    for _ in range(4000):
        batch = [Particle() for _ in range(8)]
        del batch
    print("done", flush=True)
    sys.stdin.readline()
    return kept


if __name__ == "__main__":
    main()
