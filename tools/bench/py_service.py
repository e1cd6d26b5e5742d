"""A Python service for tools/bench/loader_python.sh: holds OBJECTS GC-tracked objects (half
instances of a small class, half the lists they hold) and churns like a request loop: 200
short-lived instances every 10 ms. Prints "ready" once they are made.
Usage: python py_service.py OBJECTS"""
import sys
import time


class Record:
    def __init__(self, i):
        self.i = i
        self.tags = [i]


def main():
    count = int(sys.argv[1]) // 2
    keep = [Record(i) for i in range(count)]
    print("ready", len(keep), flush=True)
    while True:
        batch = [Record(i) for i in range(200)]
        del batch
        time.sleep(0.01)


main()
