"""What can be reviewed: closings read from scored transcripts or from texts.

Accepted inputs (detected from the ending, then the content):

- the rows ``closing-signal score`` writes (JSONL or CSV): the utterance that
  decided each transcript (``decided_by``); when none did (an ambiguous
  closing), the candidate's last closing turn. If the transcript is still
  there, the turn before it comes along as ``context`` (shown to the labeler,
  never trained on). Rows with an ``error`` are left out;
- JSONL of utterances (``{"text": ...}``, other fields ignored) or a CSV with a
  ``text`` column;
- a text file, one closing per line (blank lines and ``#`` comments skipped).

>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "closings.txt"
>>> _ = p.write_text("# a comment\\nSo what are the next steps?\\n\\nI'll pass.\\n")
>>> [(c.text, c.source.split("/")[-1]) for c in read_candidates(p)]
[('So what are the next steps?', 'closings.txt:2'), ("I'll pass.", 'closings.txt:4')]
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from ..data.records import DataError

__all__ = ["Candidate", "read_candidates"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A closing that could be labeled: its text, where it came from (``file:line``, or the
    transcript), and the turn before it when known (a short "Absolutely." needs its question)."""

    text: str
    source: str
    context: str | None = None


def _closing_text(row: dict) -> tuple[str | None, str | None]:
    """The utterance a score row was decided by (else the candidate's last closing turn) and, as its
    context, the other speaker's turn before it: both read again from the transcript if it is there."""
    decided = row["decided_by"] if isinstance(row.get("decided_by"), str) and row["decided_by"].strip() else None
    from ..transcripts import TranscriptError, read_transcript

    try:
        turns = read_transcript(row["file"]).turns
        start = int(row.get("closing_start") or 0)
    except (TranscriptError, OSError, ValueError, TypeError):
        return decided, None
    said = [i for i in range(start, len(turns)) if row.get("candidate") in (None, "", turns[i].speaker)]
    at = next((i for i in reversed(said) if turns[i].text == decided), None) if decided else (said or [None])[-1]
    if at is None:
        return decided, None
    before = next((t for t in reversed(turns[:at]) if t.speaker != turns[at].speaker), None)
    context = None if before is None else f"{before.speaker}: {before.text}" if before.speaker else before.text
    return turns[at].text, context


def _from_object(obj: dict, where: str) -> tuple[str | None, str | None, str | None]:
    """(text, context, problem) of one JSON object or CSV row."""
    if "decided_by" in obj and "file" in obj:  # a row of `closing-signal score`
        if obj.get("error"):
            return None, None, None
        return *_closing_text(obj), None
    text = obj.get("text")
    if not isinstance(text, str):
        return None, None, f"{where}: no 'text' (expected {{\"text\": ...}} or a row of closing-signal score)"
    return (text if text.strip() else None), None, None


def read_candidates(path: str | Path) -> list[Candidate]:
    """The closings in ``path`` (see the module doc), or :class:`DataError` naming every bad line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataError(f"{path}:{line}: not UTF-8 text (a binary file?)") from None
    out: list[Candidate] = []
    problems: list[str] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not {"text", "decided_by"} & set(reader.fieldnames or []):
            raise DataError(f"{path}:1: a CSV needs a 'text' column (or be the output of closing-signal score)")
        try:
            for n, row in enumerate(reader, 2):
                t, ctx, err = _from_object({k: v for k, v in row.items() if k is not None}, f"{path}:{n}")
                problems += [err] if err else []
                out += [Candidate(t, row.get("file") or f"{path}:{n}", ctx)] if t else []
        except csv.Error as e:
            raise DataError(f"{path}:{reader.line_num}: unreadable CSV ({e})") from None
    else:
        lines = text.splitlines()
        is_json = next((ln.lstrip().startswith("{") for ln in lines if ln.strip()), False)
        for n, line in enumerate(lines, 1):
            if not line.strip() or (not is_json and line.lstrip().startswith("#")):
                continue
            if not is_json:
                out.append(Candidate(line.strip(), f"{path}:{n}"))
                continue
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                problems.append(f"{path}:{n}: invalid JSON")
                continue
            if not isinstance(obj, dict):
                problems.append(f"{path}:{n}: expected a JSON object")
                continue
            t, ctx, err = _from_object(obj, f"{path}:{n}")
            problems += [err] if err else []
            out += [Candidate(t, str(obj["file"]) if "decided_by" in obj else f"{path}:{n}", ctx)] if t else []
    if problems:
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise DataError(f"{len(problems)} bad line(s) in {path}:\n  " + "\n  ".join(problems[:20]) + more)
    return out
