"""The labels file: an append-only log of answers, one JSON line each, flushed to disk at once.

Every line carries ``"log": "closing_signal.labels/1"`` and an ``event``:
``label`` (``id``, ``text``, ``label``, the model's ``guess``), ``skip``
(``id``, ``text``) or ``undo`` (``id`` of the answer it takes back). Nothing
is ever rewritten: an undo is a new line, and :func:`fold` replays the log.
A file whose first line is not ours is never written to (unless forced); a
last line torn by a crash is dropped when the log is opened again.

>>> fold([{"event": "label", "id": "a", "label": "interest"}, {"event": "skip", "id": "b"},
...       {"event": "undo", "id": "b"}, {"event": "label", "id": "b", "label": "ambiguous"}])
[{'event': 'label', 'id': 'a', 'label': 'interest'}, {'event': 'label', 'id': 'b', 'label': 'ambiguous'}]
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

from ..overwrite import OverwriteError

__all__ = ["MARK", "LabelsLog", "LogError", "fold", "is_labels_log", "parse_log"]

MARK = "closing_signal.labels/1"
EVENTS = ("label", "skip", "undo")


class LogError(ValueError):
    """A labels file that cannot be replayed; the message names the file and line."""


def is_labels_log(head: bytes) -> bool:
    """Whether the first line of ``head`` (a file's first bytes) is one of ours."""
    first = head.split(b"\n", 1)[0]
    try:
        obj = json.loads(first.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False
    return isinstance(obj, dict) and obj.get("log") == MARK


def parse_log(data: bytes, name: str) -> list[tuple[int, dict]]:
    """``(line number, event)`` of every complete line; an unterminated last line is
    ignored (a write cut short). :class:`LogError` for a line that is not an event."""
    out = []
    lines = data.decode("utf-8-sig", errors="replace").split("\n")
    for n, line in enumerate(lines[:-1], 1):  # the part after the last "\n" is not a whole line
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            raise LogError(f"{name}:{n}: not a JSON line; the labels file was edited by hand?") from None
        if not (isinstance(obj, dict) and obj.get("log") == MARK and obj.get("event") in EVENTS
                and isinstance(obj.get("id"), str)):
            raise LogError(f"{name}:{n}: not a closing-signal labels event (needs log, event, id)")
        out.append((n, obj))
    return out


def fold(events: list[dict]) -> list[dict]:
    """The answers that stand, in order: each ``undo`` takes back the latest one.

    :class:`LogError` for an undo with nothing to take back or naming another item."""
    stack: list[dict] = []
    for e in events:
        if e["event"] != "undo":
            stack.append(e)
        elif not stack or stack[-1]["id"] != e["id"]:
            raise LogError(f"an undo of {e['id']!r} does not match the latest answer")
        else:
            stack.pop()
    return stack


class LabelsLog:
    """An open labels file, locked against a second writer.

    Opening checks the file is ours (else :class:`~closing_signal.overwrite.OverwriteError`
    saying how to force) and drops a torn last line. :meth:`append` writes one
    whole line and ``fsync``s it before returning."""

    def __init__(self, path: str | Path, *, force: bool = False):
        self.path = Path(path)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OverwriteError(f"{self.path}: in use by another closing-signal annotate") from None
            data = b"".join(iter(lambda: os.read(fd, 1 << 20), b""))
            if data.strip() and not is_labels_log(data[:65536]):
                if not force:
                    raise OverwriteError(f"{self.path}:1: not a closing-signal labels file; it was left as it is. "
                                         "Choose another --out, or pass --force to replace it")
                data = b""
                os.ftruncate(fd, 0)
            end = data.rfind(b"\n") + 1
            if end < len(data):  # a line torn by a crash: never acknowledged, so dropped
                os.ftruncate(fd, end)
                data = data[:end]
            self.events = [e for _, e in parse_log(data, str(self.path))]
            try:
                fold(self.events)
            except LogError as e:
                raise LogError(f"{self.path}: {e}; the labels file was edited by hand?") from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def append(self, event: str, item_id: str, **fields) -> dict:
        """Write one event line and flush it to disk; returns the event."""
        e = {"log": MARK, "event": event, "id": item_id, **fields, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                     time.gmtime())}
        line = (json.dumps(e, ensure_ascii=False) + "\n").encode("utf-8")
        size = os.fstat(self._fd).st_size
        try:
            if os.write(self._fd, line) != len(line):
                raise OSError(f"{self.path}: short write (disk full?)")
            os.fsync(self._fd)
        except OSError:
            os.ftruncate(self._fd, size)  # no torn line stays behind
            raise
        self.events.append(e)
        return e

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
