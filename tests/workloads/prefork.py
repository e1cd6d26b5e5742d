"""Python target for tests/e2e/test_sessions.sh: a pre-fork server's parent and its workers.

Prints "ready <pid>", waits for a line on stdin, then forks WORKERS workers one after the other.
Worker k creates and keeps 1000 * (k + 1) Job instances, prints "child PID COUNT", keeps them
for 2 s (the tracer's census sees them) and leaves with os._exit (no interpreter shutdown).
The parent prints "done" once every worker is reaped, and exits when stdin closes.
"""
import os
import sys
import time

WORKERS = 3


class Job:
    def __init__(self, i):
        self.i = i


def work(k):
    time.sleep(0.5)  # the tracer follows the fork and attaches meanwhile
    jobs = [Job(i) for i in range(1000 * (k + 1))]
    print("child", os.getpid(), len(jobs), flush=True)
    time.sleep(2)
    os._exit(0)


print("ready", os.getpid(), flush=True)
sys.stdin.readline()
for k in range(WORKERS):
    pid = os.fork()
    if pid == 0:
        work(k)
    os.waitpid(pid, 0)
print("done", flush=True)
sys.stdin.readline()
