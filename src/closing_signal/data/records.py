"""Reading labeled records (JSONL, CSV, Prodigy-style) with errors that name file and line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

from ..labels import LABELS
from .types import DataError, Record

__all__ = ["Record", "DataError", "read_records", "file_sha256"]


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _label_of(obj: dict) -> str | None:
    if "label" in obj and "answer" not in obj and "accept" not in obj:
        return obj["label"]
    # Prodigy text classification: {"text", "label", "answer": "accept"} or {"text", "accept": [labels]}
    if isinstance(obj.get("accept"), list) and obj.get("answer", "accept") == "accept":
        return obj["accept"][0] if len(obj["accept"]) == 1 else None
    if obj.get("answer") == "accept":
        return obj.get("label")
    return None


def _iter_raw(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataError(f"{path}:{line}: not valid UTF-8 (byte {e.start}); re-save the file as UTF-8") from None
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "text" not in fields or "label" not in fields:
            raise DataError(f"{path}:1: CSV header must have 'text' and 'label' columns, got {reader.fieldnames}")
        n = 1
        try:
            for n, row in enumerate(reader, start=2):
                yield n, {k.strip().lower(): v for k, v in row.items() if k is not None}, None
        except csv.Error as e:  # e.g. a field over csv.field_size_limit() (128 KiB), a NUL byte
            raise DataError(f"{path}:{reader.line_num or n + 1}: unreadable CSV ({e})") from None
        return
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield n, None, f"invalid JSON ({e.msg})"
            continue
        except RecursionError:
            yield n, None, "JSON nested too deeply"
            continue
        yield (n, obj, None) if isinstance(obj, dict) else (n, None, "expected a JSON object")


def read_records(path: str | Path, *, labels: tuple[str, ...] = LABELS) -> list[Record]:
    """All records of one JSONL or CSV file, or :class:`DataError` listing every bad line.

    Prodigy examples answered ``reject`` or ``ignore`` are skipped (they state no label).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    from ..review.formats import reader_for  # Label Studio JSON, review labels logs and queues, Prodigy tasks

    if (special := reader_for(path)) is not None:
        return special(path, labels)
    records: list[Record] = []
    problems: list[str] = []
    for n, obj, err in _iter_raw(path):
        where = f"{path}:{n}"
        if err:
            problems.append(f"{where}: {err}")
            continue
        if obj.get("answer") in ("reject", "ignore"):
            continue
        text, label = obj.get("text"), _label_of(obj)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: missing or empty 'text'")
            continue
        if label not in labels:
            problems.append(f"{where}: label {label!r} is not one of {', '.join(labels)}")
            continue
        records.append(Record(text, label, where, obj.get("phenomenon"), obj.get("style")))
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise DataError(f"{len(problems)} bad line(s) in {path}:\n  {shown}{more}")
    if not records:
        raise DataError(f"{path}: no labeled records")
    return records
