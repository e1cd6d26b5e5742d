"""Python target for tests/e2e/test_python_exit.sh: holds N objects of a class, then exits,
its interpreter's shutdown freeing them (slowly, so that the tracer looks during it).

Prints "ready", then reads commands, one a line:
  hold N   keeps N Hoard instances; answers "holding N CENSUS" (CENSUS: Hoard's count in
           Counter(type(o).__name__ for o in gc.get_objects())), then "done"
  exit     returns from main: the interpreter shuts down. Module globals are cleared in two
           passes, names starting with "_" first: _hoard goes, then slow's __del__ keeps the
           torn-down interpreter alive for SLOW_DEL_S
"""
import gc
import sys
import time
from collections import Counter

SLOW_DEL_S = 0.8


class Hoard:
    def __init__(self, i):
        self.i = i


class SlowToDie:
    def __del__(self):
        time.sleep(SLOW_DEL_S)


_hoard = []
slow = SlowToDie()


def main():
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["hold"]:
            _hoard.extend(Hoard(i) for i in range(int(words[1])))
            gc.collect()
            census = Counter(type(o).__name__ for o in gc.get_objects())
            print("holding", len(_hoard), census["Hoard"], flush=True)
            del census
        elif words[:1] == ["exit"]:
            return
        print("done", flush=True)


main()
