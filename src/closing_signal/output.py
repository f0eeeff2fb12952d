"""Result rows on disk: JSONL or CSV, one whole line per write, resumable."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

__all__ = ["RowWriter", "COLUMNS", "done_files"]

COLUMNS = ("file", "label", "probabilities", "candidate", "candidate_method", "closing_start",
           "closing_start_time", "closing_cue", "decided_by", "evidence", "advice", "format", "n_turns", "error")


def _format_of(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    return "csv" if str(path).lower().endswith(".csv") else "jsonl"


def _truncate_torn_tail(path: Path) -> None:
    """Drop a last line that a crash left without its newline."""
    with open(path, "rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size == 0:
            return
        f.seek(max(0, size - 1))
        if f.read(1) == b"\n":
            return
        pos = size
        while pos > 0:
            step = min(65536, pos)
            f.seek(pos - step)
            chunk = f.read(step)
            nl = chunk.rfind(b"\n")
            if nl != -1:
                f.truncate(pos - step + nl + 1)
                return
            pos -= step
        f.truncate(0)


def done_files(path: str | Path, fmt: str | None = None) -> set[str]:
    """Files that already have a complete row in an output file (for ``--resume``)."""
    path = Path(path)
    if not path.is_file():
        return set()
    _truncate_torn_tail(path)
    done: set[str] = set()
    text = path.read_text(encoding="utf-8", errors="replace")
    if _format_of(str(path), fmt) == "csv":
        for row in csv.DictReader(io.StringIO(text)):
            if row.get("file"):
                done.add(row["file"])
    else:
        for line in text.splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and "file" in row:
                done.add(row["file"])
    return done


class RowWriter:
    """Appends rows with one ``os.write`` per row to a file opened in append
    mode, so a crash can at most leave a torn last line (which ``--resume``
    removes). ``path='-'`` writes to stdout. Opening fails early — before any
    work — if the path cannot be written."""

    def __init__(self, path: str, *, fmt: str | None = None, append: bool = False):
        self.fmt = _format_of(path, fmt)
        self.path = path
        self.rows = 0
        self.stdout = path == "-"
        if self.stdout:
            self.fd = 1
            new = True
        else:
            p = Path(path)
            new = not (append and p.is_file() and p.stat().st_size > 0)
            flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
            try:
                self.fd = os.open(p, flags, 0o644)
            except OSError as e:
                raise OSError(f"cannot write {path}: {e.strerror}") from None
        if self.fmt == "csv" and new:
            self._write(self._csv_line(COLUMNS))

    @staticmethod
    def _csv_line(values) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(values)
        return buf.getvalue()

    def _write(self, text: str) -> None:
        data = text.encode("utf-8")
        try:
            while data:
                n = os.write(self.fd, data)
                data = data[n:]
        except OSError as e:
            raise OSError(f"cannot write {self.path}: {e.strerror}; {self.rows} row(s) were written in full — "
                          "make room and re-run with --resume") from None

    def write(self, row: dict) -> None:
        if self.fmt == "csv":
            line = self._csv_line([json.dumps(row.get(c), ensure_ascii=False) if isinstance(row.get(c), (dict, list))
                                   else ("" if row.get(c) is None else row.get(c)) for c in COLUMNS])
        else:
            line = json.dumps({c: row.get(c) for c in COLUMNS}, ensure_ascii=False) + "\n"
        self._write(line)
        self.rows += 1

    def close(self) -> None:
        if not self.stdout:
            os.close(self.fd)
