"""Python target for event mode (tests/e2e/test_python_events.sh): classes whose type objects
die and whose addresses are reused, objects whose frees event mode cannot see, one real leak.

Prints "ready", then reads commands, one a line, and answers each with "done":
  ephemeral K M  K times: a new class Ephemeral<i>, M instances made and dropped, then the
                 class itself dropped and collected (its type object freed, its address free
                 for the next class)
  run SECONDS    first defines the class Leaky (right after the ephemeral classes died: its
                 type object takes one of their addresses); then every 100 ms (on an absolute
                 clock) keeps PER_TICK more Leaky instances, opens and closes EPOLLS_PER_TICK
                 select.epoll objects (a class whose instances are freed by PyObject_Free), and
                 makes a class Flash with FLASH_PER_TICK instances that die with it
  truth FILE     writes its own counts as JSON: per class {"created", "live"} for its classes,
                 and "gc": Counter(type(o).__name__ for o in gc.get_objects())
It exits when stdin closes.
"""
import gc
import json
import select
import sys
import time
from collections import Counter

PER_TICK = 200
EPOLLS_PER_TICK = 60
FLASH_PER_TICK = 30
TICK_S = 0.1

created = Counter()
leaked = []
Leaky = None


def new_class(name):
    return type(name, (), {"__init__": lambda self, i: setattr(self, "i", i)})


def ephemeral(count, per_class):
    for k in range(count):
        cls = new_class("Ephemeral%d" % k)
        objs = [cls(i) for i in range(per_class)]
        created[cls.__name__] += per_class
        del objs, cls
        gc.collect()


def run(seconds):
    global Leaky
    if Leaky is None:
        Leaky = new_class("Leaky")
    tick = time.monotonic()
    for _ in range(int(round(seconds / TICK_S))):
        leaked.extend(Leaky(i) for i in range(PER_TICK))
        created["Leaky"] += PER_TICK
        for _ in range(EPOLLS_PER_TICK):
            select.epoll().close()
        created["epoll"] += EPOLLS_PER_TICK
        flash = new_class("Flash")
        objs = [flash(i) for i in range(FLASH_PER_TICK)]
        created["Flash"] += FLASH_PER_TICK
        del objs, flash
        tick += TICK_S
        time.sleep(max(0.0, tick - time.monotonic()))


def truth(path):
    gc.collect()
    census = Counter(type(o).__name__ for o in gc.get_objects())
    live = {"Leaky": len(leaked), "epoll": 0, "Flash": 0}
    own = {name: {"created": n, "live": live.get(name, 0)} for name, n in created.items()}
    with open(path, "w") as f:
        json.dump({"classes": own, "gc": census}, f)
    del census
    gc.collect()


def main():
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["ephemeral"]:
            ephemeral(int(words[1]), int(words[2]))
        elif words[:1] == ["run"]:
            run(float(words[1]))
        elif words[:1] == ["truth"]:
            truth(words[1])
        print("done", flush=True)


main()
