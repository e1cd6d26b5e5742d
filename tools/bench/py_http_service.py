"""A Flask-like HTTP service for tools/bench/bench.sh's throughput rows: routes registered by a
decorator, a request object per call, JSON bodies parsed and produced, an HTML page rendered from
a template, a bounded session cache (what a web app does per request, on the standard library
alone: there is no PyPI here). Threaded like Flask's server, HTTP/1.1 keep-alive for the load
generator (wrk, tools/bench/http_mix.lua). Prints "ready PORT" once it listens.
Usage: python py_http_service.py [PORT]   (0 or none: any free port)"""
import json
import re
import string
import sys
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROUTES = []


def route(method, pattern):
    def register(view):
        ROUTES.append((method, re.compile("^" + pattern + "$"), view))
        return view
    return register


class Request:
    def __init__(self, method, target, headers, body):
        parts = urlsplit(target)
        self.method = method
        self.path = parts.path
        self.args = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body

    def json(self):
        return json.loads(self.body or b"{}")


class Item:
    def __init__(self, item_id, name, tags):
        self.item_id = item_id
        self.name = name
        self.tags = tags

    def to_dict(self):
        return {"id": self.item_id, "name": self.name, "tags": list(self.tags),
                "slug": re.sub(r"[^a-z0-9]+", "-", self.name.lower())}


CATALOGUE = [Item(i, "Item number %d of the catalogue" % i, ["t%d" % (i % 7), "c%d" % (i % 3)])
             for i in range(500)]
SESSIONS = OrderedDict()   # bounded: the service keeps no more than 256 sessions
PAGE = string.Template("<html><head><title>$title</title></head><body><h1>$title</h1>"
                       "<ul>$rows</ul><p>$count items</p></body></html>")


@route("GET", r"/api/items/(\d+)")
def item_detail(request, item_id):
    first = int(item_id) % len(CATALOGUE)
    related = [CATALOGUE[(first + k) % len(CATALOGUE)].to_dict() for k in range(20)]
    return 200, "application/json", json.dumps({"item": related[0], "related": related[1:]})


@route("GET", r"/page/(\w+)")
def page(request, name):
    limit = int(request.args.get("limit", "30"))
    rows = "".join("<li>%s (%s)</li>" % (it.name, ", ".join(it.tags)) for it in CATALOGUE[:limit])
    return 200, "text/html", PAGE.substitute(title=name.title(), rows=rows, count=limit)


@route("POST", r"/api/session")
def session(request):
    data = request.json()
    key = data.get("user", "anonymous")
    SESSIONS[key] = {"user": key, "cart": data.get("cart", []), "seen": len(SESSIONS)}
    SESSIONS.move_to_end(key)
    while len(SESSIONS) > 256:
        SESSIONS.popitem(last=False)
    return 200, "application/json", json.dumps(SESSIONS[key])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # headers and body are two writes: no 40 ms delayed ACK

    def handle_any(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        request = Request(self.command, self.path, self.headers, body)
        for method, pattern, view in ROUTES:
            match = pattern.match(request.path)
            if method == request.method and match:
                status, ctype, text = view(request, *match.groups())
                break
        else:
            status, ctype, text = 404, "text/plain", "not found"
        payload = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = handle_any

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
    print("ready", server.server_address[1], flush=True)
    server.serve_forever()


main()
