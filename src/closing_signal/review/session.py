"""One labeling session: a queue of closings and the labels log that answers them.

The next closing is the first in the queue with no standing answer, so a
session restarted on the same files resumes where it stopped, and an undone
answer comes back first.

>>> import pathlib, tempfile
>>> from closing_signal.review.log import LabelsLog
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> s = Session([{"id": "a", "text": "I'm in!"}, {"id": "b", "text": "What's next?"}], LabelsLog(d / "labels.jsonl"))
>>> s.label("a", "interest")["item"]["id"], s.progress()["done"]
('b', 1)
>>> s.undo()["item"]["id"], s.progress()["done"]
('a', 0)
"""

from __future__ import annotations

import json
from pathlib import Path

from ..data.records import DataError
from ..labels import LABELS
from .log import LabelsLog, fold
from .sampling import item_id

__all__ = ["Session", "SessionError", "read_queue"]


class SessionError(ValueError):
    """A request the session cannot carry out; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def read_queue(path: str | Path) -> list[dict]:
    """The items of a JSONL queue (``closing-signal review --out queue.jsonl``; any JSONL of
    ``{"text"}`` works: ids are made from the text). :class:`DataError` naming bad lines."""
    path = Path(path)
    items: dict[str, dict] = {}
    problems = []
    try:
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read the queue ({e})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            obj = None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or not obj["text"].strip():
            problems.append(f"{path}:{n}: expected a JSON object with a 'text' (a queue written as JSONL)")
            continue
        obj.setdefault("id", item_id(obj["text"]))
        items.setdefault(str(obj["id"]), {**obj, "id": str(obj["id"])})
    if problems:
        raise DataError(f"{len(problems)} bad line(s) in {path}:\n  " + "\n  ".join(problems[:20]))
    if not items:
        raise DataError(f"{path}: the queue is empty")
    return list(items.values())


class Session:
    """Answers to ``items`` kept in ``log`` (a :class:`~closing_signal.review.log.LabelsLog`).
    Not thread-safe: the server calls it under a lock."""

    def __init__(self, items: list[dict], log: LabelsLog):
        self.items = items
        self.by_id = {it["id"]: it for it in items}
        self.log = log

    def _answers(self) -> dict[str, dict]:
        return {e["id"]: e for e in fold(self.log.events)}

    def next(self) -> dict | None:
        """The first queue item with no standing answer (``None`` when all are answered)."""
        answered = self._answers()
        return next((it for it in self.items if it["id"] not in answered), None)

    def progress(self) -> dict:
        answers = [e for i, e in self._answers().items() if i in self.by_id]
        counts = {lab: sum(e.get("label") == lab for e in answers) for lab in LABELS}
        skipped = sum(e["event"] == "skip" for e in answers)
        return {"total": len(self.items), "done": len(answers), "skipped": skipped, "labels": counts,
                "file": str(self.log.path)}

    def state(self) -> dict:
        return {"item": self.next(), "progress": self.progress()}

    def _open(self, item_id) -> dict:
        if item_id not in self.by_id:
            raise SessionError(f"no item {item_id!r} in the queue", 404)
        if item_id in self._answers():
            raise SessionError(f"item {item_id!r} is already answered (undo it first)", 409)
        return self.by_id[item_id]

    def label(self, item_id, label) -> dict:
        """Record ``label`` for an unanswered item; returns the new :meth:`state`."""
        if label not in LABELS:
            raise SessionError(f"label must be one of {', '.join(LABELS)}, got {label!r}")
        it = self._open(item_id)
        self.log.append("label", it["id"], text=it["text"], label=label, guess=it.get("guess"))
        return self.state()

    def skip(self, item_id) -> dict:
        """Pass over an item (it is not shown again; undo brings it back)."""
        it = self._open(item_id)
        self.log.append("skip", it["id"], text=it["text"])
        return self.state()

    def undo(self) -> dict:
        """Take back the latest standing answer; its item is shown next."""
        standing = fold(self.log.events)
        if not standing:
            raise SessionError("nothing to undo", 409)
        self.log.append("undo", standing[-1]["id"])
        return self.state()
