"""Ground truth for pymalloc fragmentation (tests/e2e/test_fragmentation.sh).

pymalloc_fragment.py MODE ROUNDS PERIOD_S: prints "ready PID", waits for a line on stdin, then
makes ROUNDS rounds, one each PERIOD_S, of 8192 bytes objects of one size class per round
(16 + 24 x round bytes: each round a class of its own, 65 to 425 bytes a block):
  fragment  keeps 1 in 64 of them: every pool of the round keeps blocks in use, so no arena
            can be given back, and no later round (another class) can use the free blocks:
            the arenas grow ~1.5 MiB a round while the blocks in use grow 1/64 of that
  leak      keeps them all: blocks in use and arenas grow together
Then prints sys._debugmallocstats() (pymalloc's own figures) to stderr, "done" to stdout, and
sleeps until stdin closes.
"""
import os
import sys
import time

mode, rounds, period = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
kept = []
print("ready", os.getpid(), flush=True)
sys.stdin.readline()
for r in range(rounds):
    batch = [bytes(16 + 24 * r) for _ in range(8192)]
    kept.extend(batch if mode == "leak" else batch[::64])
    del batch
    time.sleep(period)
sys._debugmallocstats()
print("done", flush=True)
sys.stdin.readline()
