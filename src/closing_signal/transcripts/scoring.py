"""Scoring a transcript: find the candidate and the closing, label the closing."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..labels import LABELS, Label
from ..prediction import Evidence, Prediction
from .closing import find_closing, reply_stance
from .coaching import advise
from .readers import FORMATS, SUFFIXES, parse_transcript, read_transcript
from .speakers import infer_candidate
from .types import Transcript, TranscriptError

__all__ = ["ClosingUtterance", "TranscriptResult", "ROW_SCHEMA", "ClosingPlan", "score_transcript", "score_parsed", "plan_closing",
           "score_plans"]


@dataclass(frozen=True, slots=True)
class ClosingUtterance:
    """A candidate turn in the closing, with its prediction. ``read_with`` is
    the interviewer question a short reply was read with (LABELS.md rule 15)."""

    turn: int
    speaker: str | None
    text: str
    prediction: Prediction
    start: float | None = None
    read_with: str | None = None


#: The result row of a transcript (:meth:`TranscriptResult.to_row`): its fields
#: in order, and the kind of value each holds (``dict``/``list`` are written as
#: JSON in a table). Output files (:data:`closing_signal.output.COLUMNS`) and
#: Dask's Parquet schema are derived from it.
ROW_SCHEMA: dict[str, str] = {
    "file": "str", "label": "str", "probabilities": "dict", "candidate": "str", "candidate_method": "str",
    "closing_start": "int", "closing_start_time": "float", "closing_cue": "str", "decided_by": "str",
    "evidence": "list", "advice": "str", "format": "str", "n_turns": "int", "error": "str",
}


@dataclass(frozen=True, slots=True)
class TranscriptResult:
    """One transcript's answer: did the candidate state interest at the close?

    ``label`` is the last explicit stance the candidate took in the closing
    (``interest``/``disinterest``), else ``ambiguous``; ``probabilities`` and
    ``evidence`` are those of the utterance that decided. ``error`` is set (and
    ``label`` is ``None``) for a transcript that could not be scored in a batch.
    """

    source: str
    label: Label | None
    probabilities: dict[str, float] = field(default_factory=dict)
    candidate: str | None = None
    candidate_method: str | None = None
    closing: tuple[ClosingUtterance, ...] = ()
    closing_start: int | None = None
    closing_start_time: float | None = None
    closing_cue: str | None = None
    evidence: tuple[Evidence, ...] = ()
    advice: str | None = None
    format: str | None = None
    n_turns: int = 0
    error: str | None = None

    def to_row(self) -> dict:
        """A flat record for JSONL/CSV output."""
        decided = next((u for u in reversed(self.closing) if u.prediction.label != "ambiguous"), None)
        values = {
            "file": self.source,
            "label": self.label.value if self.label else None,
            "probabilities": {k: round(v, 6) for k, v in self.probabilities.items()},
            "candidate": self.candidate,
            "candidate_method": self.candidate_method,
            "closing_start": self.closing_start,
            "closing_start_time": self.closing_start_time,
            "closing_cue": _bounded(self.closing_cue),
            "decided_by": _bounded(decided.text) if decided else None,
            "evidence": [e.to_dict() for e in self.evidence],
            "advice": self.advice,
            "format": self.format,
            "n_turns": self.n_turns,
            "error": self.error,
        }
        return {k: values[k] for k in ROW_SCHEMA}


#: A turn quoted in a row keeps at most its last ROW_TEXT_MAX characters (the stance
#: sits at the end): a 50 MB turn must not become a 50 MB cell.
ROW_TEXT_MAX = 2_000


def _bounded(text: str | None) -> str | None:
    """``text``, or its last ``ROW_TEXT_MAX`` characters after an ellipsis."""
    if text is None or len(text) <= ROW_TEXT_MAX:
        return text
    return "…" + text[-(ROW_TEXT_MAX - 1):]


@dataclass(frozen=True, slots=True)
class ClosingPlan:
    """What to score in one transcript: the candidate and the closing's turns."""

    t: Transcript
    speaker: str | None
    how: str
    start: int
    cue: str | None
    idx: list[int]

    @property
    def texts(self) -> list[str]:
        return [self.t.turns[i].text for i in self.idx]


def plan_closing(t: Transcript, candidate: str | None) -> ClosingPlan:
    """Find the candidate and the closing turns to score (``TranscriptError`` if there are none)."""
    speaker, how = infer_candidate(t, candidate)
    start, cue = find_closing(t, speaker)
    idx = [i for i in range(start, len(t.turns)) if speaker is None or t.turns[i].speaker == speaker]
    if not idx:
        raise TranscriptError(f"{t.source}: the candidate {speaker!r} says nothing in the closing")
    return ClosingPlan(t, speaker, how, start, cue, idx)


#: Texts per model batch.
_BATCH = 1000

#: How a short reply ("Yes, definitely.") to an interest question is read (LABELS.md rule 15).
_REPLY_READS = {"interest": "Yes, I'm still very interested.", "disinterest": "No, I'm not interested anymore."}


def _assemble(plan: ClosingPlan, preds: list[Prediction], reads: dict[str, Prediction]) -> TranscriptResult:
    """The result of one planned transcript, without advice (see :func:`_advice`)."""
    t, speaker, texts = plan.t, plan.speaker, plan.texts
    closing: list[ClosingUtterance] = []
    for i, text, pred in zip(plan.idx, texts, preds):
        prev = next((t.turns[j] for j in range(i - 1, -1, -1) if t.turns[j].speaker != speaker), None)
        stance = reply_stance(prev.text, text) if prev is not None and speaker is not None else None
        read_with = None
        if stance is not None and pred.label == "ambiguous":
            read = reads[stance]
            pred = Prediction(read.label, read.probabilities,
                              (Evidence(text, 0, len(text), f"REPLY:{stance.upper()}", 1.0),))
            read_with = prev.text
        closing.append(ClosingUtterance(i, t.turns[i].speaker, text, pred, t.turns[i].start, read_with))
    decided = next((u for u in reversed(closing) if u.prediction.label != "ambiguous"), None)
    basis = decided or closing[-1]
    label = basis.prediction.label if decided else Label.AMBIGUOUS
    probs = dict(basis.prediction.probabilities)
    start = plan.start
    return TranscriptResult(
        source=t.source, label=label, probabilities={k: probs.get(k, 0.0) for k in LABELS}, candidate=speaker,
        candidate_method=plan.how, closing=tuple(closing), closing_start=start,
        closing_start_time=t.turns[start].start if start < len(t.turns) else None, closing_cue=plan.cue,
        evidence=basis.prediction.evidence, format=t.format, n_turns=len(t.turns))


def _advice(plan: ClosingPlan, cue_types: list[set[str]]) -> str:
    """Coaching for an ambiguous closing: what the candidate could have said."""
    t, speaker = plan.t, plan.speaker
    cand_texts = [turn.text for turn in t.turns if speaker is None or turn.speaker == speaker]
    return advise(plan.texts, cue_types, cand_texts, [turn.text for turn in t.turns])


def score_plans(plans: list[ClosingPlan], model) -> list[TranscriptResult]:
    """Score planned transcripts together: the closing turns of all of them
    go through the model as one batch (a batch of a few texts costs almost
    as much as a batch of a thousand)."""
    if not plans:
        return []
    texts = [x for plan in plans for x in plan.texts] + list(_REPLY_READS.values())
    # one analysis per text: evidence (results are pickled whole by worker processes) and cue types (for advice)
    preds: list[Prediction] = []
    cues: list[frozenset[str]] = []
    for i in range(0, len(texts), _BATCH):
        batch = model.predict_batch(texts[i:i + _BATCH], evidence=True, cue_types=True)
        preds += batch.predictions
        cues += batch.cue_types
    n_texts = len(texts) - len(_REPLY_READS)
    reads = dict(zip(_REPLY_READS, preds[n_texts:]))
    out, k = [], 0
    for plan in plans:
        n = len(plan.idx)
        result = _assemble(plan, preds[k:k + n], reads)
        if result.label == "ambiguous":  # advice only for ambiguous closings
            result = replace(result, advice=_advice(plan, cues[k:k + n]))
        out.append(result)
        k += n
    return out


def score_parsed(t: Transcript, model, *, candidate: str | None = None) -> TranscriptResult:
    """Score an already parsed :class:`Transcript` with ``model``."""
    return score_plans([plan_closing(t, candidate)], model)[0]


def _looks_like_path(x) -> bool:
    if isinstance(x, Path):
        return True
    if not isinstance(x, str) or "\n" in x or len(x) >= 4096:
        return False
    if Path(x).suffix.lower() in SUFFIXES:
        return True
    try:
        return Path(x).exists()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte: text, not a path
        return False


def score_transcript(path_or_text, candidate: str | None = None, format: str | None = None, *,
                     model=None) -> TranscriptResult:
    """Label one transcript — a file path or the transcript's text.

    ``candidate`` names the candidate's speaker label (else it is inferred);
    ``format`` overrides detection (one of ``FORMATS``: ``plain``, ``otter``,
    ``vtt``, ``srt``, ``json``, ``csv``, ``text``). Pass ``model=`` (from
    :func:`closing_signal.load`) when scoring many; otherwise the default
    model is loaded for this call. Raises :class:`TranscriptError` for a file
    that cannot be read.

    >>> r = score_transcript("Recruiter: Any questions for us?\\nSam: No, I think you covered it. Where do I sign?")
    >>> r.label, r.candidate
    (<Label.INTEREST: 'interest'>, 'Sam')
    """
    if model is None:
        from ..model import load

        model = load()
    if isinstance(path_or_text, bytes):
        raise TypeError("path_or_text must be a path or a str; decode bytes or write them to a file first")
    if _looks_like_path(path_or_text):  # a missing file, a pipe, a URL: read_transcript says which
        t = read_transcript(path_or_text, format=format)
    elif isinstance(path_or_text, str):
        if not path_or_text.strip():
            raise TranscriptError("<text>: empty transcript")
        t = parse_transcript(path_or_text, format=format)
    else:
        raise TypeError(f"path_or_text must be a path or a str, got {type(path_or_text).__name__}")
    return score_parsed(t, model, candidate=candidate)
