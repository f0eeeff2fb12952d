"""Result rows on disk: JSONL or CSV, one whole line per write, resumable.

A writer locks its file (two runs never write one file at once), refuses a
non-empty file that is not a closing_signal result file unless forced, and on
``append`` (``--resume``) first checks that the file is one of ours, then
drops a torn last row that a crash may have left.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import stat
from pathlib import Path

from .labels import LABELS
from .overwrite import OverwriteError
from .transcripts.scoring import ROW_SCHEMA

__all__ = ["RowWriter", "COLUMNS", "CSV_COLUMNS", "done_files", "OutputFormatError", "FORMATS", "format_of", "flat",
           "csv_cell", "csv_uncell"]

#: The fields of a JSONL row: those of a result row (``ROW_SCHEMA``), with the
#: probabilities both flat (``p_<label>``, after ``label``) and as a dict.
COLUMNS = (*tuple(ROW_SCHEMA)[:2], *(f"p_{k}" for k in LABELS), *tuple(ROW_SCHEMA)[2:])
#: The columns of a CSV file: the probabilities flat only (a spreadsheet reads numbers, not JSON).
CSV_COLUMNS = tuple(c for c in COLUMNS if c != "probabilities")
#: Output formats and the file name endings that choose them.
FORMATS = {"jsonl": (".jsonl", ".json", ".ndjson"), "csv": (".csv",)}

#: A CSV cell that starts with one of these is read as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class OutputFormatError(ValueError):
    """An existing output file is not a closing_signal result file of the expected format."""


def format_of(path: str, fmt: str | None = None) -> str:
    """The output format: ``fmt`` if given, else from ``path``'s ending (stdout: jsonl).
    ``ValueError`` for an ending that names no format, rather than guessing."""
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return fmt
    if path == "-" or (os.path.exists(path) and not os.path.isfile(path)):  # stdout, /dev/null, a pipe
        return "jsonl"
    low = str(path).lower()
    for name, endings in FORMATS.items():
        if low.endswith(endings):
            return name
    raise ValueError(f"{path}: cannot tell the output format from its name; end it in .jsonl or .csv, "
                     "or give --format")


def flat(row: dict) -> dict:
    """``row`` with its probabilities also as ``p_<label>`` fields."""
    probs = row.get("probabilities") or {}
    return {**row, **{f"p_{k}": v for k, v in probs.items()}}


def _csv_line(values) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


def csv_cell(value) -> str:
    """A CSV cell: dicts and lists as JSON; text that a spreadsheet would run
    as a formula gets a leading ``'`` (OWASP's advice for CSV injection).

    >>> csv_cell("=1+1"), csv_uncell(csv_cell("=1+1")), csv_cell(["a"])
    ("'=1+1", '=1+1', '["a"]')
    """
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_uncell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def _complete_end(data: bytes, fmt: str) -> int:
    """The length of ``data`` up to the end of its last complete row. A CSV row
    ends at a newline outside quotes: where the count of ``"`` before it is even."""
    if fmt != "csv":
        return data.rfind(b"\n") + 1
    end, quotes, pos = 0, 0, 0
    while (nl := data.find(b"\n", pos)) != -1:
        quotes += data.count(b'"', pos, nl)
        if quotes % 2 == 0:
            end = nl + 1
        pos = nl + 1
    return end


def _parse(data: bytes, fmt: str, name: str) -> set[str]:
    """The ``file`` of every complete row of a result file; :class:`OutputFormatError`
    if the file is not one of ours (header and every row are checked)."""
    text = data.decode("utf-8", errors="replace")
    done: set[str] = set()
    if fmt == "csv":
        if not text.startswith(_csv_line(CSV_COLUMNS)):
            raise OutputFormatError(f"{name}:1: not a closing-signal CSV result file (its header differs)")
        try:
            for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
                if n > 1:
                    if len(row) != len(CSV_COLUMNS):
                        raise OutputFormatError(f"{name}: row {n} has {len(row)} fields, "
                                                f"expected {len(CSV_COLUMNS)}")
                    done.add(csv_uncell(row[0]))
        except csv.Error as e:
            raise OutputFormatError(f"{name}: not a closing-signal CSV result file ({e})") from None
        return done
    for n, line in enumerate(text.split("\n"), 1):  # only "\n" ends a row: text may hold U+2028 and the like
        if not line:
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            row = None
        if not (isinstance(row, dict) and set(row) == set(COLUMNS)):
            raise OutputFormatError(f"{name}:{n}: not a row of a closing-signal JSONL result file")
        done.add(row["file"])
    return done


def done_files(path: str | Path, fmt: str | None = None) -> set[str]:
    """Files that already have a complete row in a result file (for ``--resume``).

    Reads only; :class:`OutputFormatError` if the file is not a closing-signal result file.
    """
    path = Path(path)
    if not path.is_file():
        return set()
    fmt = format_of(str(path), fmt)
    data = path.read_bytes()
    return _parse(data[:_complete_end(data, fmt)], fmt, str(path))


class RowWriter:
    """Appends rows with one ``os.write`` per row, so a crash can at most
    leave a torn last line (which ``--resume`` removes). ``path='-'`` writes
    to stdout. Opening fails early — before any work — if the path cannot be
    written, is locked by another run, or holds something that is not ours.

    ``append=True`` continues a result file (``done`` holds the files it
    already has rows for); ``force=True`` empties any existing regular file.
    """

    def __init__(self, path: str, *, fmt: str | None = None, append: bool = False, force: bool = False):
        self.fmt = format_of(path, fmt)
        self.path = path
        self.rows = 0
        self.done: set[str] = set()
        self.stdout = path == "-"
        if self.stdout:
            self.fd = 1
            self._start(0)
            return
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)  # no O_TRUNC before the checks
        except OSError as e:
            raise OSError(f"cannot write {path}: {e.strerror}") from None
        try:
            self._claim(append, force)
        except BaseException:
            os.close(self.fd)
            raise

    def _claim(self, append: bool, force: bool) -> None:
        st = os.fstat(self.fd)
        if not stat.S_ISREG(st.st_mode):  # /dev/null, a pipe: nothing to lock, check or resume
            self._start(0)
            return
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OverwriteError(f"{self.path}: another closing-signal run is writing this file; "
                                 "wait for it, or choose another --out") from None
        size = st.st_size
        if size and not force:
            data = os.pread(self.fd, size, 0)
            end = _complete_end(data, self.fmt)
            try:
                done = _parse(data[:end], self.fmt, self.path)
            except OutputFormatError as e:
                raise OverwriteError(f"{e}; it was left as it is. Choose another --out, "
                                     "or pass --force to overwrite it") from None
            if append:
                self.done = done
                if end < size:
                    os.ftruncate(self.fd, end)  # the torn row a crash left
                self._start(end)
                return
        os.ftruncate(self.fd, 0)
        self._start(0)

    def _start(self, size: int) -> None:
        if self.fmt == "csv" and size == 0:
            self._write(_csv_line(CSV_COLUMNS))

    def _write(self, text: str) -> None:
        # a lone surrogate (a file name that was not UTF-8) is written as its escape, never as invalid UTF-8
        data = text.encode("utf-8", errors="backslashreplace")
        try:
            while data:
                n = os.write(self.fd, data)
                data = data[n:]
        except OSError as e:
            raise OSError(f"cannot write {self.path}: {e.strerror}; {self.rows} row(s) were written in full — "
                          "make room and re-run with --resume") from None

    def write(self, row: dict) -> None:
        row = flat(row)
        if self.fmt == "csv":
            line = _csv_line([csv_cell(row.get(c)) for c in CSV_COLUMNS])
        else:
            line = json.dumps({c: row.get(c) for c in COLUMNS}, ensure_ascii=False) + "\n"
            if not line.isascii():
                try:
                    line.encode("utf-8")
                except UnicodeEncodeError:  # a lone surrogate: JSON's own \uXXXX escape keeps the row valid
                    line = json.dumps({c: row.get(c) for c in COLUMNS}) + "\n"
        self._write(line)
        self.rows += 1

    def close(self) -> None:
        if not self.stdout:
            os.close(self.fd)  # closing the file releases its lock
