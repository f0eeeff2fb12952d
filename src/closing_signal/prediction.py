"""What a prediction returns: a label, calibrated probabilities, and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from .labels import Label

__all__ = ["Prediction", "Evidence"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Words that pushed the decision toward the predicted label.

    ``start``/``end`` are character offsets into the text that was scored;
    ``cue`` is the cue type matched there (``"DECLINE"``, ``"INTEREST+NEG"``…)
    or ``None`` for a plain word; ``weight`` is the summed push of the
    features on that span toward the label (higher carried more).
    """

    text: str
    start: int
    end: int
    cue: str | None
    weight: float

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "cue": self.cue, "weight": round(self.weight, 4)}


@dataclass(frozen=True, slots=True)
class Prediction:
    """The label of one closing.

    >>> p = Prediction(Label.INTEREST, {"interest": 0.9, "ambiguous": 0.08, "disinterest": 0.02})
    >>> p.label == "interest", round(sum(p.probabilities.values()), 6)
    (True, 1.0)
    """

    label: Label
    probabilities: dict[str, float]
    evidence: tuple[Evidence, ...] = field(default=())

    def to_dict(self) -> dict:
        return {"label": self.label.value,
                "probabilities": {k: round(v, 6) for k, v in self.probabilities.items()},
                "evidence": [e.to_dict() for e in self.evidence]}
