"""The demo's target: a small service loop with a slow leak, a bounded cache and churn.

Runs for DURATION seconds (argv[1], default 8). Every 50 ms "request": parses some JSON,
builds result objects that are dropped, keeps a bounded LRU-like cache, and - the bug -
appends every session to a list that is never trimmed.
"""
import json
import sys
import time


class Session:
    def __init__(self, i):
        self.id = i
        self.payload = bytearray(2048)   # native memory: malloc'ed by the interpreter
        self.tags = {"user": i, "kind": "demo"}


class Result:
    def __init__(self, n):
        self.values = [n * k for k in range(50)]


sessions = []        # the leak: grows forever
cache = {}           # bounded: evicts its oldest entry past 500
duration = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
request = json.dumps({"items": list(range(200)), "name": "demo"})
end = time.monotonic() + duration
i = 0
print("ready", flush=True)
while time.monotonic() < end:
    for _ in range(20):
        i += 1
        data = json.loads(request)
        results = [Result(n) for n in data["items"][:20]]
        cache[i] = len(results)
        if len(cache) > 500:
            del cache[next(iter(cache))]
        sessions.append(Session(i))
    time.sleep(0.05)
print("sessions kept:", len(sessions), flush=True)
