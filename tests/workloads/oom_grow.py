"""Ground truth for the OOM moment (tests/e2e/test_oom.sh): prints "ready", reads a line, then
grow_until_killed() appends 1 MiB bytearrays, one every 5 ms, saying "held N" after each,
until its memory cgroup's OOM killer ends it ("not killed" after 1 GiB without a limit)."""
import sys
import time

held = []


def grow_until_killed():
    while len(held) < 1024:
        held.append(bytearray(1 << 20))
        print("held", len(held), flush=True)
        time.sleep(0.005)


print("ready", flush=True)
sys.stdin.readline()
grow_until_killed()
print("not killed", flush=True)
sys.stdin.readline()
