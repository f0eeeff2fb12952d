"""``closing_signal_clauses``: clause segmentation that also works without punctuation."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..analysis.batch import DocAnalysis
from ..analysis.lexicon import Lexicon
from . import _extensions as ext
from .base import AnalysisComponent

__all__ = ["ClauseSegmenter", "make_clauses"]


class ClauseSegmenter(AnalysisComponent):
    """Splits a Doc into clauses, written to ``doc.spans["closing_clauses"]``.

    A clause ends at sentence punctuation; a new one starts at a contrast
    marker ("but", "however", "though"…) or at "so" + pronoun, so speech
    without punctuation is segmented too. Clauses that are questions carry
    the span label ``QUESTION``, the others ``CLAUSE``.
    """

    def __init__(self, nlp: Language, name: str = "closing_signal_clauses", *, lexicon: Lexicon | None = None,
                 write_spans: bool = True):
        super().__init__(nlp, name, lexicon=lexicon, write_spans=write_spans)

    def write(self, doc: Doc, analysis: DocAnalysis) -> None:
        doc.spans[ext.CLAUSES] = [Span(doc, s, e, label="QUESTION" if q else "CLAUSE")
                                  for s, e, q in analysis.clauses]


@Language.factory("closing_signal_clauses", default_config={"write_spans": True})
def make_clauses(nlp: Language, name: str, write_spans: bool) -> ClauseSegmenter:
    return ClauseSegmenter(nlp, name, write_spans=write_spans)
