"""Local servers for the seed-001 tests: the workspace app over real HTTP, a file host and a
webhook receiver, each on 127.0.0.1 in a thread."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from werkzeug.serving import make_server

PNG = (  # a real 2x2 PNG (cv2.imencode)
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00"
    b"\x00\xfd\xd4\x9as\x00\x00\x00\x0fIDAT\x08\x1dcd\x00\x03F\x060\x00\x00\x00#\x00\x033"
    b"\xf3\x90\xa7\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@contextmanager
def serve_wsgi(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@contextmanager
def file_host(files: dict[str, tuple[str, bytes]]):
    """GET /<name> answers files[name] = (content type, body); 404 otherwise."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            found = files.get(self.path.lstrip("/"))
            if found is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", found[0])
            self.send_header("Content-Length", str(len(found[1])))
            self.end_headers()
            self.wfile.write(found[1])

        def log_message(self, *args):
            pass

    with _threaded(Handler) as base:
        yield base


@contextmanager
def receiver(fail_first: int = 0):
    """POST /hook is recorded (headers, body) in the yielded list; the first `fail_first`
    answer 500."""
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            got.append({"headers": dict(self.headers), "body": body, "path": self.path})
            status = 500 if len(got) <= fail_first else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    with _threaded(Handler) as base:
        yield base, got


@contextmanager
def _threaded(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def loads(body: bytes):
    return json.loads(body.decode())
