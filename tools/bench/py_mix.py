"""Benchmark workload: a realistic mix: JSON encode/decode, regular expressions, classes.
Protocol as py_alloc.py."""
import json
import os
import re
import sys
import time

LOG_LINE = re.compile(r"(?P<ip>\d+\.\d+\.\d+\.\d+) - (?P<user>\w+) \[(?P<ts>[^\]]+)\] "
                      r'"(?P<method>GET|POST) (?P<path>\S+)" (?P<status>\d{3}) (?P<size>\d+)')


class Request:
    __slots__ = ("ip", "user", "method", "path", "status", "size")

    def __init__(self, m):
        self.ip = m["ip"]
        self.user = m["user"]
        self.method = m["method"]
        self.path = m["path"]
        self.status = int(m["status"])
        self.size = int(m["size"])

    def to_dict(self):
        return {"ip": self.ip, "user": self.user, "method": self.method,
                "path": self.path, "status": self.status, "size": self.size}


def make_lines(n):
    return [f'10.0.{i % 256}.{i % 200} - user{i % 97} [23/Nov/2026:10:{i % 60:02d}:00] '
            f'"{"GET" if i % 3 else "POST"} /api/v1/items/{i}?q={i * 7}" {200 + i % 5 * 100} {i * 13 % 9000}'
            for i in range(n)]


def one_round(lines):
    reqs = [Request(m) for m in map(LOG_LINE.match, lines) if m]
    doc = json.dumps({"requests": [r.to_dict() for r in reqs], "count": len(reqs)})
    back = json.loads(doc)
    by_status = {}
    for r in back["requests"]:
        by_status.setdefault(r["status"], []).append(r["path"])
    return sum(len(v) for v in by_status.values()) + len(doc) % 1000


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    lines = make_lines(20000)
    print(f"ready {os.getpid()}", flush=True)
    sys.stdin.readline()
    t0 = time.monotonic()
    checksum = 0
    for _ in range(rounds):
        checksum += one_round(lines)
        time.sleep(0)  # a round is a frame: --frame clock_nanosleep:libc marks it
    print(f"elapsed {time.monotonic() - t0:.4f} checksum {checksum}", flush=True)
    sys.stdin.readline()


main()
