"""Benchmark workload: Python object churn (instances, dicts, lists, strings).
Protocol: prints "ready PID", waits for a line on stdin, runs ROUNDS (argv[1]) rounds,
prints "elapsed SECONDS", waits for stdin to close."""
import os
import sys
import time


class Node:
    def __init__(self, key, payload):
        self.key = key
        self.payload = payload
        self.children = []


def round_of_churn(n):
    nodes = [Node(i, {"i": i, "s": str(i)}) for i in range(n)]
    for i in range(1, n):
        nodes[i // 2].children.append(nodes[i])
    total = 0
    for node in nodes:
        total += len(node.payload["s"]) + len(node.children)
    table = {f"k{i}": [i, i * 2, (i, str(i))] for i in range(n)}
    return total + len(table)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    print(f"ready {os.getpid()}", flush=True)
    sys.stdin.readline()
    t0 = time.monotonic()
    checksum = 0
    for _ in range(rounds):
        checksum += round_of_churn(20000)
        time.sleep(0)  # a round is a frame: --frame clock_nanosleep:libc marks it
    print(f"elapsed {time.monotonic() - t0:.4f} checksum {checksum}", flush=True)
    sys.stdin.readline()


main()
