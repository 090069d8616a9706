#!/usr/bin/env python3
"""notify_receiver.py — a local HTTP receiver for the alert delivery tests.

    python3 tests/lib/notify_receiver.py PORTFILE LOG [CERT KEY]

Listens on 127.0.0.1 (a free port, written to PORTFILE) and appends one JSON
line per request to LOG: {"t", "path", "headers", "body", "status"}. With CERT
and KEY it speaks HTTPS (TLS failures of clients are not logged). What it
answers depends on the first path segment:
  /ok/...    200            /pd/...    202 {"status":"success"} (PagerDuty)
  /hang/...  never answers (holds the connection for 120 s)
  /flaky/... 500 the first time (per path), then 200
  /busy/...  429 with Retry-After: 2 the first time (per path), then 200
  /bad/...   400 always
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTFILE, LOG = sys.argv[1], sys.argv[2]
seen = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode("utf-8", "replace")
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
        kind = self.path.strip("/").split("/")[0]
        with lock:
            count = seen.get(self.path, 0) + 1
            seen[self.path] = count
        status, extra, reply = 200, {}, b"ok"
        if kind == "hang":
            self.record(body, 0)
            time.sleep(120)
            return
        if kind == "flaky" and count == 1:
            status = 500
        elif kind == "busy" and count == 1:
            status, extra = 429, {"Retry-After": "2"}
        elif kind == "bad":
            status = 400
        elif kind == "pd":
            status, reply = 202, b'{"status":"success","message":"Event processed"}'
        self.record(body, status)
        self.send_response(status)
        for k, v in extra.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def record(self, body, status):
        line = json.dumps({"t": time.time(), "path": self.path,
                           "headers": {k.lower(): v for k, v in self.headers.items()},
                           "body": body, "status": status})
        with lock, open(LOG, "a") as f:
            f.write(line + "\n")


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
if len(sys.argv) > 4:
    import ssl
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.handle_error = lambda request, client_address: None
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
