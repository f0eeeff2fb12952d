"""closing-signal annotate through its HTTP API, as a real process: label, undo, skip, resume after a kill,
request limits, and a labels file that is not ours."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from closing_signal.review.formats import write_queue

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ["I'd love to move forward.", "What are the next steps?", "I'll pass, thanks.", "Maybe, if the pay is right.",
         "Count me in!", "Not for me, sorry."]


def make_queue(path: Path) -> Path:
    items = [{"id": f"c-{i}", "text": t, "guess": "ambiguous", "uncertainty": 0.5, "source": f"s:{i}",
              "probabilities": {"interest": 0.3, "ambiguous": 0.4, "disinterest": 0.3}, "model": "test",
              "evidence": [{"text": t.split()[0], "start": 0, "end": len(t.split()[0]), "cue": "X", "weight": 1.0}]}
             for i, t in enumerate(TEXTS)]
    items[0]["context"] = "Recruiter: Any questions for us?"
    return write_queue(items, path)


class Annotator:
    """A running `closing-signal annotate` process and a small JSON client for it."""

    def __init__(self, queue: Path, out: Path, *extra: str, args: list[str] | None = None, cwd: Path = ROOT):
        args = args or ["annotate", str(queue), "--out", str(out), "--port", "0", *extra]
        self.proc = subprocess.Popen([sys.executable, "-m", "closing_signal.cli", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=cwd)
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\n", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"no address on stdout: {line!r} {self.proc.stderr.read()}")
        self.port = int(m.group(1))

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        hdrs = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=data, headers={**hdrs, **(headers or {})})
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        return r.status, (json.loads(raw) if r.getheader("Content-Type", "").startswith("application/json") else raw)

    def label(self, label, item_id=None):
        item_id = item_id or self.request("GET", "/api/next")[1]["item"]["id"]
        return self.request("POST", "/api/label", {"id": item_id, "label": label})

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        return self.proc.communicate(timeout=10)


@pytest.fixture
def files(tmp_path):
    return make_queue(tmp_path / "queue.jsonl"), tmp_path / "labels.jsonl"


def events(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_label_undo_skip_and_progress(files):
    queue, out = files
    a = Annotator(queue, out)
    try:
        status, state = a.request("GET", "/api/next")
        assert status == 200 and state["item"]["text"] == TEXTS[0] and state["progress"]["done"] == 0
        assert state["item"]["evidence"] and state["item"]["guess"] == "ambiguous"
        status, state = a.label("interest")
        assert status == 200 and state["item"]["text"] == TEXTS[1] and state["progress"]["done"] == 1
        assert len(out.read_text().splitlines()) == 1  # on disk before the answer came back
        status, state = a.request("POST", "/api/skip", {"id": "c-1"})
        assert state["item"]["id"] == "c-2" and state["progress"]["skipped"] == 1
        status, state = a.request("POST", "/api/undo")  # takes back the skip: c-1 is shown again
        assert status == 200 and state["item"]["id"] == "c-1" and state["progress"]["done"] == 1
        a.label("ambiguous")
        assert a.label("interest", "c-0")[0] == 409  # already answered
        assert a.label("maybe", "c-2")[0] == 400
        assert a.label("interest", "c-99")[0] == 404
        assert a.request("GET", "/api/progress")[1]["labels"] == {"interest": 1, "ambiguous": 1, "disinterest": 0}
    finally:
        a.stop()
    assert [e["event"] for e in events(out)] == ["label", "skip", "undo", "label"]  # append-only
    assert all(e["log"] == "closing_signal.labels/1" for e in events(out))


def test_killing_the_server_loses_nothing_and_a_restart_resumes(files):
    queue, out = files
    a = Annotator(queue, out)
    for lab in ("interest", "ambiguous", "disinterest"):
        assert a.label(lab)[0] == 200
    a.kill()
    b = Annotator(queue, out)
    try:
        status, state = b.request("GET", "/api/next")
        assert state["item"]["id"] == "c-3" and state["progress"]["done"] == 3  # answered ones are not shown again
        b.label("ambiguous")
        b.request("POST", "/api/undo")
        b.request("POST", "/api/undo")  # undo reaches back into the killed session's answers
        assert b.request("GET", "/api/next")[1]["item"]["id"] == "c-2"
    finally:
        b.stop()
    assert [e["event"] for e in events(out)] == ["label"] * 4 + ["undo"] * 2


def test_only_the_page_and_the_api_are_served(files):
    a = Annotator(*files)
    try:
        assert a.request("GET", "/")[0] == 200
        status, page = a.request("GET", "/annotate.js")
        assert status == 200 and b"fetch(" in page
        for name in ("annotate.html", "annotate.js", "annotate.css"):  # no CDN, nothing from the internet
            static = (ROOT / "src" / "closing_signal" / "review" / "static" / name).read_text()
            assert "http://" not in static and "https://" not in static and "//" + "cdn" not in static
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=10)
        conn.request("GET", "/")
        headers = conn.getresponse().headers
        conn.close()
        assert "default-src 'none'" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff"
        for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/annotate.html", "/annotate.html",
                     "/api", "/api/next/../../x", "//etc/passwd", "/review/server.py", "/queue.jsonl"):
            assert a.request("GET", path)[0] == 404, path
        assert a.request("POST", "/api/nothing", {})[0] == 404
        assert a.request("POST", "/", {})[0] == 404
        assert a.request("DELETE", "/api/next")[0] == 501
    finally:
        a.stop()


def test_request_limits(files):
    a = Annotator(*files)
    try:
        with socket.create_connection(("127.0.0.1", a.port), timeout=10) as s:  # a body too big: not even read
            s.sendall(f"POST /api/label HTTP/1.1\r\nHost: 127.0.0.1:{a.port}\r\nContent-Type: application/json\r\n"
                      "Content-Length: 1000000\r\n\r\n".encode())
            assert s.recv(100).startswith(b"HTTP/1.0 413")
        big = json.dumps({"id": "c-0", "label": "interest", "pad": "x" * 70_000}).encode()
        try:
            assert a.request("POST", "/api/label", big)[0] == 413
        except ConnectionError:  # the server may close before the whole body is sent: refused either way
            pass
        assert a.request("POST", "/api/label", b"{not json")[0] == 400
        assert a.request("POST", "/api/label", b"[1, 2]")[0] == 400
        assert a.request("POST", "/api/label", {"id": "c-0", "label": "interest"},
                         {"Content-Type": "text/plain"})[0] == 415  # a cross-site form cannot post
        assert a.request("POST", "/api/label", {"id": "c-0", "label": "interest"},
                         {"Origin": "http://evil.example"})[0] == 403
        assert a.request("GET", "/api/next", headers={"Host": "evil.example"})[0] == 403  # DNS rebinding
        assert a.request("GET", "/api/progress")[1]["done"] == 0
    finally:
        a.stop()
    assert not files[1].read_text()


def test_binds_to_127_0_0_1_only(files, tmp_path):
    from closing_signal.review.log import LabelsLog
    from closing_signal.review.server import make_server
    from closing_signal.review.session import Session, read_queue

    srv = make_server(Session(read_queue(files[0]), LabelsLog(tmp_path / "l.jsonl")), port=0)
    try:
        assert srv.server_address[0] == "127.0.0.1"
    finally:
        srv.server_close()


def test_refuses_a_labels_file_that_is_not_its_own(files):
    queue, out = files
    out.write_text("text,label\nmine,interest\n")
    r = subprocess.run([sys.executable, "-m", "closing_signal.cli", "annotate", str(queue), "--out", str(out),
                        "--port", "0"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "not a closing-signal labels file" in r.stderr and "--force" in r.stderr
    assert out.read_text() == "text,label\nmine,interest\n"
    r = subprocess.run([sys.executable, "-m", "closing_signal.cli", "annotate", str(queue), "--out", str(queue),
                        "--port", "0"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "also an input" in r.stderr
    a = Annotator(queue, out, "--force")
    try:
        a.label("interest")
    finally:
        a.stop()
    assert len(events(out)) == 1


def test_a_second_server_cannot_write_the_same_file(files):
    a = Annotator(*files)
    try:
        r = subprocess.run([sys.executable, "-m", "closing_signal.cli", "annotate", str(files[0]), "--out",
                            str(files[1]), "--port", "0"], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert r.returncode == 2 and "in use" in r.stderr
    finally:
        a.stop()
    assert os.path.exists(files[1])
