"""Assemble the default pipeline: ``spacy.blank("en")`` + our three components."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from ..analysis.lexicon import Lexicon
from . import clauses, component, cues  # noqa: F401  (registers the factories)

__all__ = ["make_pipeline", "make_analysis_pipeline", "share_lexicon", "ANALYSIS_PIPES"]

#: The components that analyse a closing before it is classified.
ANALYSIS_PIPES = ("closing_signal_clauses", "closing_signal_cues")


def make_analysis_pipeline(lexicon: Lexicon | None = None, *, nlp: Language | None = None,
                           write_spans: bool = True) -> Language:
    """``nlp`` (by default ``spacy.blank("en")``) + clause segmentation + cue
    matching, both using ``lexicon`` (``None``: the shipped one, read on first use)."""
    nlp = nlp if nlp is not None else spacy.blank("en")
    for name in ANALYSIS_PIPES:
        nlp.add_pipe(name, config={"write_spans": write_spans}).lexicon = lexicon
    return nlp


def share_lexicon(nlp: Language, lexicon: Lexicon) -> None:
    """Make the analysis components use ``lexicon`` — the one a model was trained with."""
    for name in ANALYSIS_PIPES:
        if name in nlp.pipe_names:
            nlp.get_pipe(name).lexicon = lexicon


def make_pipeline(model: str | Path | None = "default", *, nlp: Language | None = None,
                  write_spans: bool = True) -> Language:
    """A pipeline that labels closings.

    ``model`` is ``"default"`` (the shipped model), a model directory, or
    ``None`` for an untrained classifier. ``nlp`` is an English pipeline to
    extend (a trained spaCy pipeline works too); by default ``spacy.blank("en")``.
    ``write_spans=False`` skips ``doc.spans["closing_clauses"/"closing_cues"]``
    (the analysis is still done and kept in ``Doc._.closing_analysis``).
    """
    nlp = make_analysis_pipeline(nlp=nlp, write_spans=write_spans)
    clf = nlp.add_pipe("closing_signal", config={"model": None if model is None else str(model)})
    if model is not None:
        clf.initialize()
        share_lexicon(nlp, clf.lexicon)  # one lexicon: the model's
    return nlp
