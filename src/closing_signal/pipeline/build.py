"""Assemble the default pipeline: ``spacy.blank("en")`` + our three components."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from . import clauses, component, cues  # noqa: F401  (registers the factories)

__all__ = ["make_pipeline"]


def make_pipeline(model: str | Path | None = "default", *, nlp: Language | None = None,
                  write_spans: bool = True) -> Language:
    """A pipeline that labels closings.

    ``model`` is ``"default"`` (the shipped model), a model directory, or
    ``None`` for an untrained classifier. ``nlp`` is an English pipeline to
    extend (a trained spaCy pipeline works too); by default ``spacy.blank("en")``.
    ``write_spans=False`` skips ``doc.spans["closing_clauses"/"closing_cues"]``
    (the analysis is still done and kept in ``Doc._.closing_analysis``).
    """
    nlp = nlp if nlp is not None else spacy.blank("en")
    seg = nlp.add_pipe("closing_signal_clauses", config={"write_spans": write_spans})
    cue = nlp.add_pipe("closing_signal_cues", config={"write_spans": write_spans})
    clf = nlp.add_pipe("closing_signal", config={"model": None if model is None else str(model)})
    if model is not None:
        clf.initialize()
        seg.lexicon = cue.lexicon = clf.lexicon  # one lexicon: the model's
    return nlp
