"""``closing_signal_cues``: rule-based cues with negation scope."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..analysis.batch import DocAnalysis
from ..analysis.lexicon import Lexicon
from . import _extensions as ext
from .base import AnalysisComponent

__all__ = ["CueMatcher", "make_cues"]


class CueMatcher(AnalysisComponent):
    """Marks cue phrases — interest, acceptance idioms, next-steps questions,
    politeness, hedges and conditions, declines, other offers… — in
    ``doc.spans["closing_cues"]`` (span label = cue type, ``+NEG`` when the cue
    sits in a negation scope) and negated tokens in ``Token._.closing_negated``.

    Negators that belong to a phrase ("not sure", "couldn't be more", "no
    longer") open no scope; a scope runs at most six words and stops at a
    comma or a clause end.

    The term lists are data (``lexicon/cues.json``), not config; ``to_disk``
    writes the lexicon in use so a saved pipeline keeps it.
    """

    def __init__(self, nlp: Language, name: str = "closing_signal_cues", *, lexicon: Lexicon | None = None,
                 write_spans: bool = True):
        super().__init__(nlp, name, lexicon=lexicon, write_spans=write_spans)

    def write(self, doc: Doc, analysis: DocAnalysis) -> None:
        idx = analysis.token_index
        doc.spans[ext.CUES] = [Span(doc, idx[c.start], idx[c.end - 1] + 1, label=c.label + ("+NEG" if c.negated else ""))
                               for c in analysis.cues]


@Language.factory("closing_signal_cues", default_config={"write_spans": True})
def make_cues(nlp: Language, name: str, write_spans: bool) -> CueMatcher:
    return CueMatcher(nlp, name, write_spans=write_spans)
