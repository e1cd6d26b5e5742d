"""Traced target for tests/e2e/test_python_stacks.sh: Python stacks of known shapes, each
holding bytes objects of a size no other step uses, so a stack is told by its sizes.

Prints "ready", then runs one step per line on stdin and answers "done":
  deep N      recursion N frames deep, then holds 20 buffers of 50000 bytes
  threads     8 threads; thread K runs worker_K, which holds 20 buffers of 60000+1000*K bytes
  generator   a generator holds 20 buffers of 70000 bytes while it is iterated
  coroutine   a coroutine (run by asyncio) holds 20 buffers of 80000 bytes
  callback    json's C encoder calls back into Python (default=), which holds 20 buffers of
              90000 bytes
  quit        exits
"""
import asyncio
import json
import sys
import threading

KEPT = []


def hold(size, count=20):
    for _ in range(count):
        KEPT.append(bytes(size))


def recurse(n):
    if n == 0:
        hold(50000)
        return
    recurse(n - 1)


def worker_0():
    hold(60000)


def worker_1():
    hold(61000)


def worker_2():
    hold(62000)


def worker_3():
    hold(63000)


def worker_4():
    hold(64000)


def worker_5():
    hold(65000)


def worker_6():
    hold(66000)


def worker_7():
    hold(67000)


WORKERS = [worker_0, worker_1, worker_2, worker_3, worker_4, worker_5, worker_6, worker_7]


def run_threads():
    threads = [threading.Thread(target=w) for w in WORKERS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def buffers():
    for _ in range(20):
        KEPT.append(bytes(70000))
        yield len(KEPT)


async def coroutine_holder():
    await asyncio.sleep(0)
    hold(80000)


class Unknown:
    pass


def encode_default(obj):
    hold(90000, 1)
    return "unknown"


def main():
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "deep":
            recurse(int(words[1]))
        elif words[0] == "threads":
            run_threads()
        elif words[0] == "generator":
            for _ in buffers():
                pass
        elif words[0] == "coroutine":
            asyncio.run(coroutine_holder())
        elif words[0] == "callback":
            json.dumps([Unknown() for _ in range(20)], default=encode_default)
        elif words[0] == "quit":
            break
        print("done", flush=True)


main()
