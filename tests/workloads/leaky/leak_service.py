"""Test workload: calls leaky_module.make_leak() RATE times a second while other functions
churn (allocate and free), until killed. Prints "ready PID" once running. With COUNT_FILE,
each SIGUSR1 writes len(leaky_module._SESSIONS) there (the leak's ground truth).
Usage: python leak_service.py [RATE] [SECONDS] [COUNT_FILE]"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import leaky_module  # noqa: E402


def encode_records(n):
    return len(json.dumps([{"id": i, "name": "x" * 32} for i in range(n)]))


def write_count(path):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % len(leaky_module._SESSIONS))
    os.replace(path + ".tmp", path)


def main():
    rate = float(sys.argv[1]) if len(sys.argv) > 1 else 200.0
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3600.0
    if len(sys.argv) > 3:
        signal.signal(signal.SIGUSR1, lambda *_: write_count(sys.argv[3]))
    print("ready", os.getpid(), flush=True)
    start = time.monotonic()
    made = 0
    while time.monotonic() - start < seconds:
        target = int((time.monotonic() - start) * rate)
        while made < target:
            leaky_module.make_leak()
            made += 1
        leaky_module.churn(64)
        encode_records(50)
        time.sleep(0.005)


main()
