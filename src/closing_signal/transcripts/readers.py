"""Readers for the transcript formats interview tools export.

* ``plain`` — ``Speaker Name: utterance`` lines (optionally after a timestamp);
  lines without a speaker continue the previous turn.
* ``otter`` — a header line ``Name  0:03`` followed by the turn's text.
* ``vtt`` — WebVTT, read with webvtt-py: Microsoft Teams ``<v Name>`` voice
  tags, or Zoom-style ``Name: text`` inside the cue.
* ``srt`` — SubRip, read with the ``srt`` package: ``NAME:`` prefixes;
  continuation cues carry no prefix.
* ``json`` — speech-to-text output with diarized speakers: a list of segments
  (``speaker``, ``start``, ``end``, ``text``), or an object holding one under
  ``segments`` / ``utterances`` / ``results``…; speakers may be labels
  (``SPEAKER_00``), letters or integers.
* ``csv`` — a header with a speaker column and a text column.
* ``text`` — no speaker labels at all: each paragraph (or line) is a turn by
  an unknown speaker.

Consecutive cues or segments of one speaker are merged into one turn.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

from .decode import decode
from .types import Transcript, TranscriptError, Turn, merge_turns

__all__ = ["FORMATS", "detect_format", "read_transcript", "parse_transcript"]

_TS = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])]?\s*[-–]?\s*)?"
_NAME_WORD = r"(?:[^\W\d_a-z][\w'’.\-]*|\d+|\([A-Za-z][A-Za-z .]*\))"  # a capitalised word, any script
_SPEAKER_LINE = re.compile(
    rf"^\s*{_TS}(?P<speaker>SPEAKER_\d+|Speaker\s+\d+|{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})\s*{_TS}:\s*(?P<text>.*)$")
_OTTER_HEADER = re.compile(r"^(?P<speaker>\S.{0,60}?)\s+(?P<ts>\d{1,2}:\d{2}(?::\d{2})?)\s*$")
_EXT = {".vtt": "vtt", ".srt": "srt", ".json": "json", ".csv": "csv"}


def _seconds(ts: str) -> float:
    parts = [float(p) for p in ts.replace(",", ".").split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total


def _speaker_prefix(text: str) -> tuple[str | None, str]:
    m = _SPEAKER_LINE.match(text)
    if m and m.group("text").strip():
        return m.group("speaker").strip(), m.group("text").strip()
    return None, text.strip()


def detect_format(text: str, name: str | None = None) -> str:
    """The format of a transcript, from its file extension and then its content."""
    if name:
        ext = _EXT.get(Path(name).suffix.lower())
        if ext:
            return ext
    head = text.lstrip()[:2000]
    lines = [ln for ln in text.splitlines() if ln.strip()][:400]
    if head.startswith("WEBVTT"):
        return "vtt"
    if head[:1] in "[{":
        return "json"
    if len(lines) > 1 and "-->" in lines[1] and lines[0].strip().isdigit():
        return "srt"
    if lines and "," in lines[0] and re.search(r"\b(speaker|name|who)\b", lines[0], re.I) \
            and re.search(r"\b(text|utterance|transcript|content)\b", lines[0], re.I):
        return "csv"
    otter = sum(bool(_OTTER_HEADER.match(ln)) for ln in lines)
    speaker = sum(bool(_SPEAKER_LINE.match(ln)) for ln in lines)
    if otter >= 2 and otter >= speaker:
        return "otter"
    if speaker >= 2:
        return "plain"
    return "text"


def _read_plain(text: str, source: str) -> list[Turn]:
    turns: list[Turn] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _SPEAKER_LINE.match(line)
        if m:
            turns.append(Turn(m.group("speaker").strip(), m.group("text").strip(), None, n))
        elif turns:
            turns[-1].text += " " + line.strip()
        # lines before the first "Speaker:" line (a title, a date) are a preamble and skipped
    return turns


def _read_otter(text: str, source: str) -> list[Turn]:
    turns: list[Turn] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _OTTER_HEADER.match(line)
        if m:
            turns.append(Turn(m.group("speaker").strip(), "", _seconds(m.group("ts")), n))
        elif turns:
            turns[-1].text = (turns[-1].text + " " + line.strip()).strip()
    return turns


def _read_text(text: str, source: str) -> list[Turn]:
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    if len(blocks) == 1:
        blocks = [ln for ln in text.splitlines() if ln.strip()]
    turns, line = [], 1
    for b in blocks:
        turns.append(Turn(None, " ".join(b.split()), None, line))
        line += b.count("\n") + 1
    return turns


def _read_vtt(text: str, source: str) -> list[Turn]:
    import webvtt
    from webvtt.errors import MalformedFileError

    try:
        captions = webvtt.from_buffer(io.StringIO(text))
    except (MalformedFileError, ValueError, IndexError, AttributeError) as e:
        raise TranscriptError(f"{source}: not valid WebVTT ({e})") from None
    turns: list[Turn] = []
    speaker = None
    for cue in captions:
        body = " ".join(cue.text.split())
        voice = getattr(cue, "voice", None)
        if voice:
            speaker = voice.strip()
        else:
            who, body = _speaker_prefix(body)
            speaker = who or speaker
        turns.append(Turn(speaker, body, cue.start_in_seconds, None))
    if not turns:
        raise TranscriptError(f"{source}: WebVTT file has no cues")
    return turns


def _read_srt(text: str, source: str) -> list[Turn]:
    import srt

    turns: list[Turn] = []
    speaker = None
    try:
        for sub in srt.parse(text):
            who, body = _speaker_prefix(" ".join(sub.content.split()))
            speaker = who or speaker
            turns.append(Turn(speaker, body, sub.start.total_seconds(), None))
    except (srt.SRTParseError, ValueError) as e:
        raise TranscriptError(f"{source}: not valid SRT ({e})") from None
    if not turns:
        raise TranscriptError(f"{source}: SRT file has no subtitles")
    return turns


_TEXT_KEYS = ("text", "transcript", "content", "utterance", "sentence")
_SPEAKER_KEYS = ("speaker", "speaker_label", "speaker_id", "speakerId", "spk", "speaker_name", "name", "channel")
_START_KEYS = ("start", "start_time", "startTime", "begin", "from")
_LIST_KEYS = ("segments", "utterances", "turns", "results", "monologues", "items", "transcript", "data")


def _find_segments(obj, path="$", depth=0):
    if depth > 8:
        return None
    if isinstance(obj, list):
        return obj, path
    if isinstance(obj, dict):
        for key in _LIST_KEYS:
            if key in obj and isinstance(obj[key], (list, dict)):
                found = _find_segments(obj[key], f"{path}.{key}", depth + 1)
                if found is not None:
                    return found
    return None


def _read_json(text: str, source: str) -> list[Turn]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise TranscriptError(f"{source}:{e.lineno}:{e.colno}: invalid JSON ({e.msg})") from None
    except RecursionError:
        raise TranscriptError(f"{source}: JSON nested too deeply to be a transcript") from None
    found = _find_segments(obj)
    if found is None:
        raise TranscriptError(f"{source}: no list of segments found (looked for a top-level list or "
                              f"one of {', '.join(_LIST_KEYS)})")
    segments, path = found
    turns: list[Turn] = []
    for i, seg in enumerate(segments):
        where = f"{source}: {path}[{i}]"
        if not isinstance(seg, dict):
            raise TranscriptError(f"{where}: expected an object, got {type(seg).__name__}")
        body = next((seg[k] for k in _TEXT_KEYS if k in seg), None)
        if body is None and isinstance(seg.get("words"), list):
            body = " ".join(str(w.get("word", w.get("text", ""))) for w in seg["words"] if isinstance(w, dict))
        if not isinstance(body, str):
            raise TranscriptError(f"{where}.text: missing or not a string")
        who = next((seg[k] for k in _SPEAKER_KEYS if k in seg and seg[k] is not None), None)
        if who is not None and not isinstance(who, (str, int)):
            raise TranscriptError(f"{where}.speaker: expected a string or an integer")
        start = next((seg[k] for k in _START_KEYS if isinstance(seg.get(k), (int, float))), None)
        turns.append(Turn(None if who is None else str(who), body, None if start is None else float(start), None))
    if not turns:
        raise TranscriptError(f"{source}: {path} is empty")
    return turns


_CSV_SPEAKER = ("speaker", "speaker_label", "speaker name", "name", "who", "role")
_CSV_TEXT = ("text", "utterance", "transcript", "content", "line", "message")


def _read_csv(text: str, source: str) -> list[Turn]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as e:
        raise TranscriptError(f"{source}:1: malformed CSV header ({e})") from None
    spk = next((h for h in _CSV_SPEAKER if h in header), None)
    txt = next((h for h in _CSV_TEXT if h in header), None)
    if spk is None or txt is None:
        raise TranscriptError(f"{source}:1: CSV header needs a speaker column ({', '.join(_CSV_SPEAKER)}) and a "
                              f"text column ({', '.join(_CSV_TEXT)}); got {reader.fieldnames}")
    start_col = next((h for h in ("start", "start_time", "time", "timestamp") if h in header), None)
    turns: list[Turn] = []
    try:
        for row in reader:
            row = {(k or "").strip().lower(): v for k, v in row.items()}
            n = reader.line_num
            body = row.get(txt)
            if body is None:
                raise TranscriptError(f"{source}:{n}: row has no '{txt}' field")
            start = None
            if start_col and row.get(start_col):
                try:
                    start = _seconds(row[start_col]) if ":" in row[start_col] else float(row[start_col])
                except ValueError:
                    start = None
            turns.append(Turn((row.get(spk) or "").strip() or None, body, start, n))
    except csv.Error as e:
        raise TranscriptError(f"{source}:{reader.line_num}: malformed CSV ({e})") from None
    return turns


_READERS: dict[str, Callable[[str, str], list[Turn]]] = {
    "plain": _read_plain, "otter": _read_otter, "vtt": _read_vtt, "srt": _read_srt, "json": _read_json,
    "csv": _read_csv, "text": _read_text,
}
FORMATS = tuple(_READERS)


def parse_transcript(text: str, *, format: str | None = None, source: str = "<text>",
                     encoding: str = "utf-8") -> Transcript:
    """A :class:`Transcript` from text already decoded."""
    fmt = format or detect_format(text, source if source != "<text>" else None)
    if fmt not in _READERS:
        raise TranscriptError(f"{source}: unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    turns = merge_turns(_READERS[fmt](text, source))
    if not turns:
        raise TranscriptError(f"{source}: no utterances found")
    return Transcript(turns, fmt, source, encoding)


def _read_url(url: str, format: str | None) -> Transcript:
    try:
        import fsspec
    except ImportError:
        raise TranscriptError(f"{url}: reading URLs needs fsspec (pip install 'closing-signal[dask]')") from None
    from .decode import MAX_BYTES

    try:
        with fsspec.open(url, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except (OSError, ValueError) as e:
        raise TranscriptError(f"{url}: cannot read ({e})") from None
    text, enc = decode(data, url)
    name = url.rsplit("/", 1)[-1]
    return parse_transcript(text, format=format or _EXT.get(Path(name).suffix.lower()) or detect_format(text),
                            source=url, encoding=enc)


def read_transcript(path: str | Path, *, format: str | None = None) -> Transcript:
    """Read a transcript file (or an fsspec URL such as ``s3://…`` when fsspec
    is installed), detecting its encoding and format."""
    from .decode import MAX_BYTES

    if isinstance(path, str) and "://" in path and not path.startswith("file://"):
        return _read_url(path, format)
    path = Path(path.removeprefix("file://") if isinstance(path, str) else path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refuse before reading it into memory
            raise TranscriptError(f"{path}: {size / 2**20:.0f} MiB is larger than the {MAX_BYTES // 2**20} MiB limit")
        data = path.read_bytes()
    except OSError as e:
        raise TranscriptError(f"{path}: cannot read ({e.strerror or e})") from None
    text, enc = decode(data, str(path))
    if format is None:
        ext = _EXT.get(path.suffix.lower())
        format = ext or detect_format(text)
    return parse_transcript(text, format=format, source=str(path), encoding=enc)
