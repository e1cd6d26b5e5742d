"""Bench workload for tools/bench/py_walk.sh: at Python depth DEPTH, makes N bytes objects of
1000 bytes (each a libc malloc: pymalloc passes blocks over 512 bytes on) and frees them.
Prints "ready", waits for a line on stdin, then runs and prints "done"."""
import sys


def at_depth(d, n):
    if d > 1:
        return at_depth(d - 1, n)
    for _ in range(n):
        bytes(1000)


depth, n = int(sys.argv[1]), int(sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()
at_depth(depth, n)
print("done", flush=True)
