"""What readers produce: a transcript as a list of speaker turns."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Turn", "Transcript", "TranscriptError"]


class TranscriptError(ValueError):
    """A transcript that cannot be read; the message names the file and, where
    known, the line or field."""


@dataclass(slots=True)
class Turn:
    """One speaker's uninterrupted stretch of talk. ``speaker`` is as written in
    the file (``None`` when the file has no speaker labels); ``start`` is in
    seconds when the format has timestamps; ``line`` is 1-based."""

    speaker: str | None
    text: str
    start: float | None = None
    line: int | None = None


@dataclass(slots=True)
class Transcript:
    turns: list[Turn]
    format: str
    source: str = "<text>"
    encoding: str = "utf-8"
    notes: list[str] = field(default_factory=list)

    @property
    def speakers(self) -> list[str]:
        """Distinct speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker is not None:
                seen.setdefault(t.speaker, None)
        return list(seen)


def merge_turns(turns: list[Turn]) -> list[Turn]:
    """Join consecutive pieces of the same speaker into one turn (subtitle cues
    split sentences; diarizers split long answers). Linear: each turn's
    pieces are joined once."""
    out: list[Turn] = []
    parts: list[list[str]] = []
    for t in turns:
        text = t.text.strip()
        if not text:
            continue
        if out and out[-1].speaker == t.speaker:
            parts[-1].append(text)
        else:
            out.append(Turn(t.speaker, text, t.start, t.line))
            parts.append([text])
    for turn, texts in zip(out, parts):
        turn.text = " ".join(texts)
    return out
