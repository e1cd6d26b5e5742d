"""Test workload: Orders leak RATE a second, held four ways that the retainer lookup must
tell apart: through an instance's attribute (REGISTRY.open: a dict of lists), through a
tuple in a dict with int keys (BY_ID), directly as a module global's value (LAST), and by a
frame's local only (not a module global). Prints "ready PID"; each SIGUSR1 writes the
workload's own counts per holder to COUNT_FILE as JSON.
Usage: python held_leak.py RATE SECONDS COUNT_FILE"""
import json
import os
import signal
import sys
import time


class Order:
    pass


class Registry:
    def __init__(self):
        self.open = {"pending": []}


REGISTRY = Registry()
BY_ID = {}
LAST = None


def write_counts(path, local_orders):
    counts = {"registry": len(REGISTRY.open["pending"]), "by_id": len(BY_ID),
              "last": 1 if LAST is not None else 0, "local": len(local_orders)}
    with open(path + ".tmp", "w") as f:
        json.dump(counts, f)
    os.replace(path + ".tmp", path)


def main():
    global LAST
    rate, seconds, count_file = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    local_orders = []
    signal.signal(signal.SIGUSR1, lambda *_: write_counts(count_file, local_orders))
    print("ready", os.getpid(), flush=True)
    start = time.monotonic()
    made = 0
    while time.monotonic() - start < seconds:
        while made < int((time.monotonic() - start) * rate):
            REGISTRY.open["pending"].append(Order())
            if made % 2:
                BY_ID[made] = (Order(),)
            if made % 5 == 0:
                local_orders.append(Order())
            LAST = Order()
            made += 1
        time.sleep(0.005)


main()
