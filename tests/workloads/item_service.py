"""Test workload: a small HTTP service (http.server) whose every POST /items keeps one Item
in the module-level list ITEMS (a leak of one Item per request, like a Flask handler that
appends to a global). GET /items answers len(ITEMS), the ground truth. Like a framework's
import, it first makes KINDS classes with 3 live instances each (a census of many types).
Prints "ready PORT" once it listens on 127.0.0.1 (PORT 0: any free port).
Usage: python item_service.py [PORT] [KINDS]"""
import http.server
import json
import sys


class Item:
    def __init__(self, name, body):
        self.name = name
        self.body = body


ITEMS = []
FRAMEWORK = []


def load_framework(kinds):
    for i in range(kinds):
        kind = type("Kind%d" % i, (), {})
        FRAMEWORK.extend(kind() for _ in range(3))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        ITEMS.append(Item("item-%d" % len(ITEMS), [body]))
        self.answer({"count": len(ITEMS)})

    def do_GET(self):
        self.answer({"count": len(ITEMS)})

    def answer(self, doc):
        data = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    load_framework(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    print("ready", server.server_address[1], flush=True)
    server.serve_forever()


main()
