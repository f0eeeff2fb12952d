"""The array analysis core: clean words, the cue lexicon, and the batch
analysis of Docs (clauses, cues, negation scope) as NumPy arrays.

The ground floor of the package: it reads spaCy ``Doc`` objects but imports
nothing from the rest of ``closing_signal`` (the spaCy components in
:mod:`closing_signal.pipeline`, the features, the model all build on it).

* :mod:`~closing_signal.analysis.words` — what each spaCy ``NORM`` becomes;
* :mod:`~closing_signal.analysis.lexicon` — cue phrases as array tries;
* :mod:`~closing_signal.analysis.batch` — :func:`analyze`: a batch of Docs → :class:`Analysis`.
"""

from .batch import MAX_TOKENS, NEGATION_WINDOW, Analysis, Cue, DocAnalysis, analyze
from .lexicon import STANCE_CUES, Lexicon, Trie
from .words import WordTable

__all__ = ["Analysis", "DocAnalysis", "Cue", "analyze", "MAX_TOKENS", "NEGATION_WINDOW", "Lexicon", "Trie",
           "STANCE_CUES", "WordTable"]
