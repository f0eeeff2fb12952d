"""closing_signal — did the candidate say they are still interested?

Labels what a candidate says at the close of an interview as ``interest``,
``ambiguous`` or ``disinterest`` (see LABELS.md), with calibrated
probabilities and the words that carried the decision.

>>> import closing_signal
>>> model = closing_signal.load()
>>> p = model.predict("Thanks! So what are the next steps?")
>>> p.label
<Label.AMBIGUOUS: 'ambiguous'>

Importing this package loads no model and touches no network.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .classifier import ClosingSignalClassifier
from .labels import LABELS, Label
from .model import Model, load
from .persistence import ModelFileError
from .prediction import Evidence, Prediction
from .transcripts import TranscriptError, TranscriptResult, score_transcript, score_transcripts

__all__ = [
    "load",
    "Model",
    "Prediction",
    "Evidence",
    "Label",
    "LABELS",
    "ClosingSignalClassifier",
    "ModelFileError",
    "score_transcript",
    "score_transcripts",
    "TranscriptResult",
    "TranscriptError",
    "__version__",
]
