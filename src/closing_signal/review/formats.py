"""Annotation files: the review queue out (JSONL, Label Studio, Prodigy, CSV), the answers back in.

Export with :func:`write_queue`. Import goes through
:func:`closing_signal.data.records.read_records` (so ``train`` and
``evaluate`` read every format): it asks :func:`reader_for` whether a file is
one of these, and reads the rest (plain JSONL, CSV ``text,label``, answered
Prodigy lines) itself.

- **Label Studio** export (JSON list): each non-cancelled annotation's choice
  is a record (two annotators who disagree make a conflict, which training
  leaves out and reports). JSON-MIN exports (``{"text", "label"}``) work too.
- **Prodigy** (JSONL with ``_input_hash``): ``accept`` gives the label,
  ``reject``/``ignore`` are skipped, a task with no answer is an error (its
  ``label`` is only the model's guess).
- **Our labels file** (``closing-signal annotate``): the log folded (undos applied).
- **Our CSV**: rows whose ``label`` was left blank are skipped.

>>> import pathlib, tempfile
>>> from closing_signal.data.records import read_records
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> q = [{"id": "c-1", "text": "What happens next?", "guess": "ambiguous",
...       "probabilities": {"interest": 0.3, "ambiguous": 0.6, "disinterest": 0.1}, "evidence": [],
...       "uncertainty": 0.7, "source": "x:1", "model": "default"}]
>>> tasks = write_queue(q, d / "tasks.json", "label-studio")
>>> import json; t = json.loads(tasks.read_text())
>>> t[0]["annotations"] = [{"result": [{"type": "choices", "value": {"choices": ["ambiguous"]}}]}]
>>> _ = (d / "done.json").write_text(json.dumps(t))
>>> [(r.text, r.label) for r in read_records(d / "done.json")]
[('What happens next?', 'ambiguous')]
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from ..data.types import DataError, Record
from ..labels import LABELS
from ..output import csv_cell, csv_uncell
from ..overwrite import OverwriteError
from .log import fold, is_labels_log, parse_log, LogError

__all__ = ["QUEUE_FORMATS", "LABEL_STUDIO_CONFIG", "CSV_HEADER", "write_queue", "format_for", "reader_for",
           "read_annotations"]

QUEUE_FORMATS = ("jsonl", "label-studio", "prodigy", "csv")
#: The labeling interface to paste into a Label Studio project (names match the export).
LABEL_STUDIO_CONFIG = ('<View><Text name="context" value="$context"/><Text name="text" value="$text"/><Choices name="label" toName="text" choice="single">'
                       + "".join(f'<Choice value="{lab}"/>' for lab in LABELS) + "</Choices></View>")
#: Columns of the CSV queue: fill in ``label``.
CSV_HEADER = ("id", "text", "label", "guess", *(f"p_{lab}" for lab in LABELS), "uncertainty", "evidence", "source",
              "context")


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The queue format: ``fmt``, else from the ending (.jsonl, .json = Label Studio, .csv).

    >>> format_for("queue.json"), format_for("q.jsonl", "prodigy")
    ('label-studio', 'prodigy')
    """
    if fmt:
        if fmt not in QUEUE_FORMATS:
            raise ValueError(f"unknown queue format {fmt!r}; choose one of {', '.join(QUEUE_FORMATS)}")
        return fmt
    ending = Path(path).suffix.lower()
    found = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "label-studio", ".csv": "csv"}.get(ending)
    if found is None:
        raise ValueError(f"{path}: cannot tell the queue format from its name; end it in .jsonl, .json or .csv, "
                         "or give --format")
    return found


def _hash32(*parts: str) -> int:
    """A signed 32-bit hash, as Prodigy's ``_input_hash``/``_task_hash`` are."""
    return int.from_bytes(hashlib.sha256("\x00".join(parts).encode("utf-8")).digest()[:4], "big", signed=True)


def _meta(item: dict) -> dict:
    return {"id": item["id"], "guess": item["guess"], "probabilities": item["probabilities"],
            "uncertainty": item["uncertainty"], "source": item["source"], "context": item.get("context")}


def _label_studio(items: Sequence[dict]) -> str:
    tasks = [{"data": {"text": it["text"], "context": it.get("context") or "", "item_id": it["id"],
                       "source": it["source"]},
              "meta": _meta(it),
              "predictions": [{"model_version": it.get("model", "closing_signal"),
                               "score": max(it["probabilities"].values()),
                               "result": [{"from_name": "label", "to_name": "text", "type": "choices",
                                           "value": {"choices": [it["guess"]]}}]}]} for it in items]
    return json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"


def _prodigy(items: Sequence[dict]) -> str:
    lines = [{"text": it["text"], "label": it["guess"], "options": [{"id": lab, "text": lab} for lab in LABELS],
              "meta": _meta(it), "_input_hash": _hash32(it["text"]), "_task_hash": _hash32(it["text"], it["guess"])}
             for it in items]
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)


def _csv(items: Sequence[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for it in items:
        w.writerow([csv_cell(v) for v in (it["id"], it["text"], "", it["guess"],
                                       *(it["probabilities"][lab] for lab in LABELS), it["uncertainty"],
                                       [e["text"] for e in it["evidence"]], it["source"], it.get("context") or "")])
    return buf.getvalue()


def write_queue(items: Sequence[dict], path: str | Path, fmt: str | None = None, *, force: bool = False) -> Path:
    """Write queue ``items`` (from :func:`~closing_signal.review.sampling.select`) to ``path``
    atomically. An existing file is replaced only with ``force``."""
    path = Path(path)
    fmt = format_for(path, fmt)
    if os.path.lexists(path) and not force:
        raise OverwriteError(f"{path} exists; it was left as it is. Choose another --out, or pass --force "
                             "to replace it")
    body = {"jsonl": lambda: "".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items),
            "label-studio": lambda: _label_studio(items), "prodigy": lambda: _prodigy(items),
            "csv": lambda: _csv(items)}[fmt]()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --- reading answers back --------------------------------------------------------------------------------


def _finish(path: Path, records: list[Record], problems: list[str]) -> list[Record]:
    if problems:
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise DataError(f"{len(problems)} bad line(s) in {path}:\n  " + "\n  ".join(problems[:20]) + more)
    if not records:
        raise DataError(f"{path}: no labeled records (nothing answered yet?)")
    return records


def _check(where: str, text, label, labels, problems: list[str]) -> bool:
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: missing or empty 'text'")
    elif label not in labels:
        problems.append(f"{where}: label {label!r} is not one of {', '.join(labels)}")
    else:
        return True
    return False


def _get(obj, key):
    return obj.get(key) if isinstance(obj, dict) else None


def _list(obj) -> list:
    return obj if isinstance(obj, list) else []


def _one(choices):
    """The single choice of a Label Studio ``choices`` list (anything else is reported as a bad label)."""
    return choices[0] if isinstance(choices, list) and len(choices) == 1 and isinstance(choices[0], str) else choices


def _read_label_studio(path: Path, labels: tuple[str, ...]) -> list[Record]:
    try:
        tasks = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise DataError(f"{path}: not a Label Studio JSON export ({type(e).__name__})") from None
    records: list[Record] = []
    problems: list[str] = []
    for i, task in enumerate(tasks, 1):
        where = f"{path}:task {i}"
        if not isinstance(task, dict):
            problems.append(f"{where}: expected a JSON object")
            continue
        if "data" not in task:  # JSON-MIN: {"text": ..., "label": "interest" | {"choices": [...]}}
            label = _one(_get(task.get("label"), "choices")) if isinstance(task.get("label"), dict) else task.get("label")
            if _check(where, task.get("text"), label, labels, problems):
                records.append(Record(task["text"], label, where))
            continue
        text = _get(task.get("data"), "text")
        for a in _list(task.get("annotations") or task.get("completions")):
            if not isinstance(a, dict) or a.get("was_cancelled"):
                continue
            chosen = [_get(r.get("value"), "choices") for r in _list(a.get("result"))
                      if isinstance(r, dict) and r.get("type") == "choices"]
            if not chosen:
                continue  # an annotation that chose nothing
            if _check(f"{where} annotation {a.get('id', '?')}", text, _one(chosen[0]), labels, problems):
                records.append(Record(text, _one(chosen[0]), where))
    return _finish(path, records, problems)


def _read_prodigy(path: Path, labels: tuple[str, ...]) -> list[Record]:
    records: list[Record] = []
    problems: list[str] = []
    for n, line in enumerate(path.read_bytes().decode("utf-8-sig", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            problems.append(f"{path}:{n}: invalid JSON")
            continue
        answer = obj.get("answer") if isinstance(obj, dict) else None
        if answer in ("reject", "ignore"):
            continue
        if answer != "accept":
            problems.append(f"{path}:{n}: not answered (no 'answer'; its 'label' is only the model's guess): "
                            "annotate in Prodigy and export with db-out")
            continue
        accept = obj.get("accept")
        label = (accept[0] if len(accept) == 1 else None) if isinstance(accept, list) and accept else obj.get("label")
        if _check(f"{path}:{n}", obj.get("text"), label, labels, problems):
            records.append(Record(obj["text"], label, f"{path}:{n}"))
    return _finish(path, records, problems)


def _read_log(path: Path, labels: tuple[str, ...]) -> list[Record]:
    try:
        events = parse_log(path.read_bytes(), str(path))
        kept = {id(e) for e in fold([e for _, e in events])}
    except LogError as e:
        raise DataError(str(e)) from None
    records: list[Record] = []
    problems: list[str] = []
    for n, e in events:
        if id(e) in kept and e["event"] == "label" and _check(f"{path}:{n}", e.get("text"), e.get("label"),
                                                               labels, problems):
            records.append(Record(e["text"], e["label"], f"{path}:{n}"))
    return _finish(path, records, problems)


def _read_csv(path: Path, labels: tuple[str, ...]) -> list[Record]:
    records: list[Record] = []
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig", errors="replace")))
    try:
        for n, row in enumerate(reader, 2):
            label = (row.get("label") or "").strip().lower()
            if label and _check(f"{path}:{n}", csv_uncell(row.get("text") or ""), label, labels, problems):
                records.append(Record(csv_uncell(row["text"]), label, f"{path}:{n}"))
    except csv.Error as e:
        raise DataError(f"{path}:{reader.line_num}: unreadable CSV ({e})") from None
    return _finish(path, records, problems)


def _read_queue(path: Path, labels: tuple[str, ...]) -> list[Record]:
    raise DataError(f"{path}: a review queue (the model's guesses), not labels; label it with "
                    f"'closing-signal annotate {path} --out labels.jsonl' and use labels.jsonl")


def reader_for(path: str | Path) -> Callable[[Path, tuple[str, ...]], list[Record]] | None:
    """The reader of ``path`` if it is a Label Studio export, a labels log, a review
    queue, Prodigy tasks or our CSV; ``None`` for plain JSONL/CSV records."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(65536)
    text = head.decode("utf-8-sig", errors="replace")
    if path.suffix.lower() == ".csv":
        return _read_csv if text.startswith(",".join(CSV_HEADER[:4]) + ",") else None
    if path.suffix.lower() == ".json" and text.lstrip().startswith("["):
        return _read_label_studio
    if is_labels_log(head):
        return _read_log
    try:
        first = json.loads(text.split("\n", 1)[0])
    except (json.JSONDecodeError, RecursionError):
        return None
    if isinstance(first, dict) and "_input_hash" in first:
        return _read_prodigy
    if isinstance(first, dict) and {"id", "guess", "uncertainty"} <= first.keys() and "label" not in first:
        return _read_queue
    return None
