"""What a prediction returns: a label, calibrated probabilities, and evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


_set = object.__setattr__


class Prediction:
    """The label of one closing.

    ``evidence`` may be given as a tuple or as a function that computes it:
    ``Model.predict_many`` computes evidence only when it is first read, so
    scoring a stream does not pay for explanations nobody looks at.

    >>> p = Prediction(Label.INTEREST, {"interest": 0.9, "ambiguous": 0.08, "disinterest": 0.02})
    >>> p.label == "interest", round(sum(p.probabilities.values()), 6)
    (True, 1.0)
    """

    __slots__ = ("label", "probabilities", "_evidence")

    label: Label
    probabilities: dict[str, float]

    def __init__(self, label: Label, probabilities: dict[str, float],
                 evidence: tuple[Evidence, ...] | Callable[[], tuple[Evidence, ...]] = ()):
        _set(self, "label", label)
        _set(self, "probabilities", probabilities)
        _set(self, "_evidence", evidence if callable(evidence) else tuple(evidence))

    def __setattr__(self, name, value):
        raise AttributeError(f"Prediction is immutable; cannot set {name!r}")

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Words that pushed the decision toward ``label``, strongest first."""
        ev = self._evidence
        if callable(ev):
            ev = tuple(ev())
            _set(self, "_evidence", ev)
        return ev

    def __eq__(self, other) -> bool:
        if not isinstance(other, Prediction):
            return NotImplemented
        return (self.label, self.probabilities, self.evidence) == (other.label, other.probabilities, other.evidence)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Prediction(label={self.label!r}, probabilities={self.probabilities!r}, evidence={self.evidence!r})"

    def __reduce__(self):
        return Prediction, (self.label, self.probabilities, self.evidence)

    def to_dict(self) -> dict:
        return {"label": self.label.value,
                "probabilities": {k: round(v, 6) for k, v in self.probabilities.items()},
                "evidence": [e.to_dict() for e in self.evidence]}
