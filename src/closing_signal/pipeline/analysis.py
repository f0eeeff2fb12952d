"""The spaCy side of the batch analysis: :func:`analysis_of` reuses the
analysis an earlier component stored in ``Doc._.closing_analysis``.

The analysis itself lives in :mod:`closing_signal.analysis`; its names are
re-exported here so code written against ``closing_signal.pipeline.analysis``
keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis.batch import MAX_TOKENS, NEGATION_WINDOW, Analysis, Cue, DocAnalysis, analyze
from ..analysis.lexicon import Lexicon
from . import _extensions as ext

__all__ = ["analysis_of", "Analysis", "DocAnalysis", "Cue", "analyze", "NEGATION_WINDOW", "MAX_TOKENS"]


def analysis_of(docs: Sequence, lexicon: Lexicon) -> Analysis:
    """The analysis of ``docs``: the one an earlier component stored in
    ``Doc._.closing_analysis``, if it analysed exactly this batch with this
    lexicon, else a new one."""
    found = [doc._.get(ext.ANALYSIS) for doc in docs] if docs and docs[0].has_extension(ext.ANALYSIS) else []
    if found and isinstance(found[0], DocAnalysis):
        batch = found[0].batch
        if batch.lexicon is lexicon and batch.n_docs == len(docs) and batch.generation == lexicon.words.generation \
                and all(isinstance(f, DocAnalysis) and f.batch is batch and f.index == i for i, f in enumerate(found)):
            return batch
    return analyze(docs, lexicon)
