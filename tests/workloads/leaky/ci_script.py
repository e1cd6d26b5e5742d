"""Test workload: a launched script as a CI job runs it. For SECONDS, makes RATE Record
objects a second and keeps them in the module-level list KEPT (leak) or drops them (clean;
once: drops them, but fills KEPT with 500 at 2 s, like a cache loaded once), while it churns
temporary dicts and lists; then prints "kept N" (len(KEPT), the ground truth) and exits.
With "ignore-term" after RATE it ignores SIGTERM.
Usage: python ci_script.py SECONDS leak|clean|once [RATE [ignore-term]]"""
import signal
import sys
import time

KEPT = []


class Record:
    def __init__(self, i):
        self.i = i
        self.tags = ["t%d" % i]


def churn(n):
    rows = [{"id": i, "name": "row"} for i in range(n)]
    return sum(len(r) for r in rows)


def main():
    seconds = float(sys.argv[1])
    keep = sys.argv[2] == "leak"
    once = sys.argv[2] == "once"
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 50.0
    if sys.argv[4:] == ["ignore-term"]:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    start = time.monotonic()
    made = 0
    while time.monotonic() - start < seconds:
        while made < int((time.monotonic() - start) * rate):
            record = Record(made)
            if keep:
                KEPT.append(record)
            made += 1
        if once and not KEPT and time.monotonic() - start >= 2:
            KEPT.extend(Record(i) for i in range(500))
        churn(200)
        time.sleep(0.01)
    print("kept", len(KEPT), flush=True)


main()
