"""A module whose make_leak() leaks: each call keeps a Session holding a fresh 4 KiB bytes
buffer in the module-level list _SESSIONS. The tests find LEAK_LINE by the marker comment."""

_SESSIONS = []


class Session:
    def __init__(self, payload):
        self.payload = payload


def make_leak():
    _SESSIONS.append(Session(bytes(4096)))  # LEAK_LINE


def churn(n):
    scratch = [bytearray(2048) for _ in range(n)]
    return sum(len(b) for b in scratch)
