"""``closing_signal_clauses``: clause segmentation that also works without punctuation."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import _extensions as ext
from .analysis import analyze
from .base import AnalysisComponent
from .lexicon import Lexicon

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

    def __call__(self, doc: Doc) -> Doc:
        a = analyze(doc, self.lexicon, cues=False)
        doc._.set(ext.ANALYSIS, a)
        if not self.write_spans:
            return doc
        spans = []
        idx, clause = a.view.token_index, a.clause
        start = 0
        for i in range(1, len(clause) + 1):
            if i == len(clause) or clause[i] != clause[start]:
                label = "QUESTION" if clause[start] in a.questions else "CLAUSE"
                spans.append(Span(doc, idx[start], idx[i - 1] + 1, label=label))
                start = i
        doc.spans[ext.CLAUSES] = spans
        return doc


@Language.factory("closing_signal_clauses", default_config={"write_spans": True})
def make_clauses(nlp: Language, name: str, write_spans: bool) -> ClauseSegmenter:
    return ClauseSegmenter(nlp, name, write_spans=write_spans)
