"""closing_signal — did the candidate say they are still interested?

Labels what a candidate says at the close of an interview as ``interest``,
``ambiguous`` or ``disinterest`` (see LABELS.md), with calibrated
probabilities and the words that carried the decision.

>>> import closing_signal
>>> model = closing_signal.load()
>>> p = model.predict("Thanks! So what are the next steps?")
>>> p.label
<Label.AMBIGUOUS: 'ambiguous'>

Importing this package loads no model, touches no network, and does not
import spaCy or scikit-learn until a name that needs them is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .version import __version__  # one source of truth: the version pyproject.toml gave the installed package

_EXPORTS = {
    "load": ".model", "Model": ".model",
    "Prediction": ".prediction", "Evidence": ".prediction",
    "Label": ".labels", "LABELS": ".labels",
    "ClosingSignalClassifier": ".classifier",
    "ModelFileError": ".persistence",
    "score_transcript": ".transcripts", "score_transcripts": ".transcripts",
    "TranscriptResult": ".transcripts", "TranscriptError": ".transcripts",
    "train": ".training", "evaluate": ".evaluation", "cross_validate": ".evaluation",
    "predict_frame": ".frames", "score_frame": ".frames",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'closing_signal' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)


if TYPE_CHECKING:  # for type checkers and IDEs
    from .classifier import ClosingSignalClassifier
    from .labels import LABELS, Label
    from .model import Model, load
    from .persistence import ModelFileError
    from .prediction import Evidence, Prediction
    from .evaluation import cross_validate, evaluate
    from .frames import predict_frame, score_frame
    from .training import train
    from .transcripts import TranscriptError, TranscriptResult, score_transcript, score_transcripts
