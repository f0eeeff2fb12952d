"""Readers for the transcript formats interview tools export.

* ``plain`` — ``Speaker Name: utterance`` lines (optionally after a timestamp);
  lines without a speaker continue the previous turn.
* ``otter`` — a header line ``Name  0:03`` followed by the turn's text.
* ``vtt`` — WebVTT, read with webvtt-py: Microsoft Teams ``<v Name>`` voice
  tags, or Zoom-style ``Name: text`` inside the cue.
* ``srt`` — SubRip (cues split line by line, timestamps read with the ``srt``
  package): ``NAME:`` prefixes; continuation cues carry no prefix.
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
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from .decode import MAX_BYTES, decode, display_name
from .types import Transcript, TranscriptError, Turn, merge_turns

__all__ = ["FORMATS", "SUFFIXES", "detect_format", "read_transcript", "parse_transcript"]

# Runs of spaces and digits are taken possessively (``\s*+``, ``\d++``: never given back, as what follows cannot
# start with them) and a line's speaker part is matched from its start only, so a match costs time linear in the
# line: no run of 100,000 spaces can make the regex engine try each way of splitting it.
_TS = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d++)?[\])]?\s*+(?:[-–]\s*+)?)?"
_NAME_WORD = r"(?:[^\W\d_a-z][\w'’.\-]*|\d+|\([A-Za-z][A-Za-z .]*\))"  # a capitalised word, any script
_SPEAKER_LINE = re.compile(  # "Speaker Name:" (the utterance is the rest of the line)
    rf"\s*+{_TS}(?P<speaker>SPEAKER_\d+|Speaker\s++\d+|{_NAME_WORD}(?:\s++{_NAME_WORD}){{0,3}})\s*+{_TS}:")
_OTTER_HEADER = re.compile(r"(?P<speaker>\S(?:.{0,59}\S)?)\s++(?P<ts>\d{1,2}:\d{2}(?::\d{2})?)\s*+$")
_SRT_TS = r"[0-9]{1,3}[,.:，．。：][0-9]{1,2}[,.:，．。：][0-9]{1,2}(?:[,.:，．。：][0-9]{0,9}|[0-9]{1,9})?"
_SRT_TIMING = re.compile(rf"\s*+({_SRT_TS}) *+-[ -] *+> *+{_SRT_TS}")
_SRT_INDEX = re.compile(r"\s*+-?[0-9]{1,9}(?:\.[0-9]*+)?\s*+")


def _seconds(ts: str) -> float:
    parts = [float(p) for p in ts.replace(",", ".").split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total


def _speaker_prefix(text: str) -> tuple[str | None, str]:
    m = _SPEAKER_LINE.match(text)
    rest = text[m.end():].strip() if m else ""
    return (m.group("speaker").strip(), rest) if rest else (None, text.strip())


def detect_format(text: str, name: str | None = None) -> str:
    """The format of a transcript, from its file extension and then its content."""
    if name:
        ext = SUFFIXES.get(Path(name).suffix.lower())
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


def _joined(turns: list[Turn], parts: list[list[str]]) -> list[Turn]:
    """Each turn with its lines joined — once, at the end: ``text +=`` per line would take quadratic time."""
    for turn, lines in zip(turns, parts):
        turn.text = " ".join(lines)
    return turns


def _read_plain(text: str, source: str) -> list[Turn]:
    turns: list[Turn] = []
    parts: list[list[str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _SPEAKER_LINE.match(line)
        if m:
            turns.append(Turn(m.group("speaker").strip(), "", None, n))
            parts.append([line[m.end():].strip()])
        elif turns:
            parts[-1].append(line.strip())
        # lines before the first "Speaker:" line (a title, a date) are a preamble and skipped
    return _joined(turns, parts)


def _read_otter(text: str, source: str) -> list[Turn]:
    turns: list[Turn] = []
    parts: list[list[str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _OTTER_HEADER.match(line)
        if m:
            turns.append(Turn(m.group("speaker").strip(), "", _seconds(m.group("ts")), n))
            parts.append([])
        elif turns:
            parts[-1].append(line.strip())
    return _joined(turns, parts)


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
    """Cues split here, line by line; the ``srt`` package reads only their
    bounded timestamps. (``srt.parse`` searches the whole text with a regex
    that takes cubic time on a run of digits, and quadratic on spaces.)"""
    import srt

    lines = text.splitlines()
    cues = [i for i, line in enumerate(lines) if _SRT_TIMING.match(line)]
    if not cues:
        raise TranscriptError(f"{source}: not valid SRT (no timing line such as 00:00:01,000 --> 00:00:04,000)")
    heads = []  # where each cue starts: its number (blank lines may follow it), else its timing line
    for prev, i in zip([-1, *cues], cues):
        j = i - 1
        while j > prev and not lines[j].strip():
            j -= 1
        heads.append(j if j > prev and _SRT_INDEX.fullmatch(lines[j]) else i)
    junk = next((n for n in range(heads[0]) if lines[n].strip()), None)
    if junk is not None:
        raise TranscriptError(f"{source}:{junk + 1}: not valid SRT (text before the first subtitle)")
    turns: list[Turn] = []
    speaker = None
    for i, end in zip(cues, [*heads[1:], len(lines)]):
        try:
            start = srt.srt_timestamp_to_timedelta(_SRT_TIMING.match(lines[i]).group(1)).total_seconds()
        except ValueError as e:
            raise TranscriptError(f"{source}:{i + 1}: not valid SRT ({e})") from None
        who, body = _speaker_prefix(" ".join(" ".join(lines[i + 1:end]).split()))
        speaker = who or speaker
        turns.append(Turn(speaker, body, start, None))
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
    except ValueError as e:  # an integer of more than 4,300 digits
        raise TranscriptError(f"{source}: invalid JSON ({e})") from None
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
#: The transcript formats (``format=`` / ``--input-format``).
FORMATS = tuple(_READERS)
#: The file name endings of transcripts, and the format each names (``None``:
#: told from the content). The one list: folder scans and path detection use it.
SUFFIXES: dict[str, str | None] = {".txt": None, ".vtt": "vtt", ".srt": "srt", ".json": "json", ".csv": "csv"}


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


def _not_regular(mode: int) -> str | None:
    """What a path that is not a regular file is; ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return "a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode) else "a device or socket"


def _read_bytes(path: Path, name: str) -> bytes:
    """A regular file's bytes, at most ``MAX_BYTES + 1`` of them. Pipes and
    devices are refused without being opened (``st_size`` is 0 for them, a
    FIFO blocks, ``/dev/zero`` never ends); the open never blocks and the
    opened file is checked again, so a path swapped in between is refused too."""
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind in (None, "a folder"):  # a folder is opened (not read) to tell why it could not be listed
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            try:
                st = os.fstat(fd)
                kind = _not_regular(st.st_mode)
                if kind is None and st.st_size <= MAX_BYTES:
                    with open(fd, "rb", closefd=False) as f:
                        return f.read(MAX_BYTES + 1)
            finally:
                os.close(fd)
            if kind is None:  # refused before it is read into memory
                raise TranscriptError(f"{name}: {st.st_size / 2**20:.0f} MiB is larger than the "
                                      f"{MAX_BYTES // 2**20} MiB limit")
    except OSError as e:
        raise TranscriptError(f"{name}: cannot read ({e.strerror or e})") from None
    raise TranscriptError(f"{name}: {kind}, not a regular file; only transcript files are read")


def read_transcript(path: str | Path, *, format: str | None = None) -> Transcript:
    """Read a local transcript file, detecting its encoding and format.

    Only regular files are read, and no more than the size limit of them; a
    URL (``s3://…``, ``http://…``) is refused: nothing is ever fetched over
    a network. The transcript's ``source`` is the file name, with bytes that
    are not UTF-8 written as ``\\xNN`` escapes."""
    if isinstance(path, str) and "://" in path and not path.startswith("file://"):
        raise TranscriptError(f"{display_name(path)}: a URL; only local files are read (closing_signal opens no "
                              "network connections): download the file first")
    path = Path(path.removeprefix("file://") if isinstance(path, str) else path)
    name = display_name(path)
    text, enc = decode(_read_bytes(path, name), name)
    if format is None:
        ext = SUFFIXES.get(path.suffix.lower())
        format = ext or detect_format(text)
    return parse_transcript(text, format=format, source=name, encoding=enc)
