"""The labeling page: a small HTTP server on 127.0.0.1 (standard library only, no internet).

Routes: ``GET /`` (the page, its script and style), ``GET /api/next``,
``GET /api/progress``, ``POST /api/label`` ``{"id", "label"}``,
``POST /api/skip`` ``{"id"}``, ``POST /api/undo``. Anything else is 404; a
body over :data:`MAX_BODY` is 413. Only fixed resources are served (no file
path comes from the URL). Requests must name this server in ``Host`` (a
rebinding website cannot), and a POST must be ``application/json`` from this
origin (a form on another site cannot post here).

>>> import pathlib, tempfile, threading, urllib.request
>>> from closing_signal.review.log import LabelsLog
>>> from closing_signal.review.session import Session
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> srv = make_server(Session([{"id": "a", "text": "Count me in"}], LabelsLog(d / "l.jsonl")), port=0)
>>> threading.Thread(target=srv.serve_forever, daemon=True).start()
>>> url = f"http://127.0.0.1:{srv.server_port}"
>>> json.load(urllib.request.urlopen(url + "/api/progress"))["total"]
1
>>> srv.shutdown(); srv.server_close()
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from .log import LabelsLog
from .session import Session, SessionError, read_queue

__all__ = ["make_server", "serve", "MAX_BODY"]

MAX_BODY = 64 * 1024
_STATIC = {"/": ("annotate.html", "text/html; charset=utf-8"),
           "/annotate.js": ("annotate.js", "text/javascript; charset=utf-8"),
           "/annotate.css": ("annotate.css", "text/css; charset=utf-8")}
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'")


def _static() -> dict[str, tuple[bytes, str]]:
    folder = resources.files(__package__).joinpath("static")
    return {route: (folder.joinpath(name).read_bytes(), ctype) for route, (name, ctype) in _STATIC.items()}


def make_server(session: Session, *, port: int = 8765) -> ThreadingHTTPServer:
    """A server for ``session`` bound to 127.0.0.1:``port`` (0: any free port), not yet serving."""
    pages = _static()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        server_version = "closing-signal-annotate"
        sys_version = ""

        def log_message(self, format, *args):  # quiet: the terminal shows progress, not requests
            pass

        def _send(self, status: int, body: bytes, ctype: str = "application/json", extra: dict | None = None):
            self.send_response(status)
            headers = {"Content-Type": ctype, "Content-Length": str(len(body)), "Cache-Control": "no-store",
                       "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                       "Content-Security-Policy": _CSP, **(extra or {})}
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, obj) -> None:
            self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"))

        def _error(self, status: int, message: str) -> None:
            self._json(status, {"error": message})

        def _host_ok(self) -> bool:
            port = self.server.server_port
            return self.headers.get("Host", "") in (f"127.0.0.1:{port}", f"localhost:{port}")

        def do_GET(self):
            path = urlsplit(self.path).path
            if not self._host_ok():
                return self._error(403, "Host must be this server (127.0.0.1)")
            if path in pages:
                return self._send(200, *pages[path])
            if path in ("/api/next", "/api/progress"):
                with lock:
                    state = session.state()
                return self._json(200, state if path == "/api/next" else state["progress"])
            self._error(404, "not found")

        def do_POST(self):
            path = urlsplit(self.path).path
            if path not in ("/api/label", "/api/skip", "/api/undo"):
                self.close_connection = True
                return self._error(404, "not found")
            origin = self.headers.get("Origin")
            if not self._host_ok() or (origin is not None and origin != f"http://{self.headers['Host']}"):
                self.close_connection = True
                return self._error(403, "requests must come from this page")
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY:
                self.close_connection = True  # the body is not read
                return self._error(413 if length > MAX_BODY else 400, f"the body must be 0 to {MAX_BODY} bytes")
            body = self.rfile.read(length) if length else b""
            if path != "/api/undo" and self.headers.get_content_type() != "application/json":
                return self._error(415, "send application/json")
            try:
                req = json.loads(body.decode("utf-8")) if body.strip() else {}
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                req = None
            if not isinstance(req, dict):
                return self._error(400, "the body must be a JSON object")
            try:
                with lock:
                    if path == "/api/label":
                        state = session.label(req.get("id"), req.get("label"))
                    elif path == "/api/skip":
                        state = session.skip(req.get("id"))
                    else:
                        state = session.undo()
            except SessionError as e:
                return self._error(e.status, str(e))
            except OSError as e:  # the labels file could not be written: the answer is not taken
                return self._error(507, f"could not save the answer: {e}")
            self._json(200, state)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    return Server(("127.0.0.1", port), Handler)


def serve(queue: str | Path, out: str | Path, *, port: int = 8765, force: bool = False, stream=None) -> int:
    """Serve the page for ``queue`` saving answers to ``out`` until interrupted (Ctrl+C).
    The first line written to ``stream`` (stdout) is the page's address."""
    stream = stream or sys.stdout
    items = read_queue(queue)
    log = LabelsLog(out, force=force)
    try:
        session = Session(items, log)
        server = make_server(session, port=port)
        p = session.progress()
        print(f"http://127.0.0.1:{server.server_port}/", file=stream, flush=True)
        print(f"labeling {p['total']} closings from {queue} ({p['done']} answered already); each answer is "
              f"saved to {out} at once. Keys: 1 interest, 2 ambiguous, 3 disinterest, u undo, s skip. "
              "Ctrl+C to stop.", file=sys.stderr, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        p = session.progress()
        print(f"\n{p['done']} of {p['total']} answered ({p['skipped']} skipped) in {out}", file=sys.stderr)
        return 0
    finally:
        log.close()
