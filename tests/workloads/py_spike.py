"""A paced loop with one allocation burst, for tests/e2e/test_py_spike.sh: 60 frames of 20 ms
(time.sleep), each making a few small buffers; frame SPIKE_AT (counted from the first sleep
after "go") also makes 400 buffers of 16 KiB in burst() (the line marked BURST_LINE). Prints
"ready", waits for a line on stdin, runs, prints "done", exits when stdin closes."""
import sys
import time

FRAMES = 60
SPIKE_AT = 40


def burst():
    return [bytearray(16384) for _ in range(400)]  # BURST_LINE


def frame(n):
    small = [bytearray(256) for _ in range(20)]
    big = burst() if n == SPIKE_AT else None
    return len(small) + (len(big) if big else 0)


def main():
    print("ready", flush=True)
    sys.stdin.readline()
    for n in range(1, FRAMES + 1):
        frame(n)
        time.sleep(0.02)
    print("done", flush=True)
    sys.stdin.read()


main()
