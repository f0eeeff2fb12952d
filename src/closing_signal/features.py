"""Features of an analysed Doc, each with the characters it comes from.

Feature families (all binary):

* ``w:`` stemmed words, ``w:NOT_`` inside a negation scope; ``b:`` stem bigrams
* ``lw:`` words of the final clause (where the stance that counts sits)
* ``c:`` cue types anywhere, ``+NEG`` when negated; ``lc:`` cues in the final
  clause; ``sc:`` cues in the last clause that takes a stance
* ``p:`` / ``lp:`` pairs of cue types sharing a clause (e.g. ``HEDGE&INTEREST``)
* ``flip:`` the previous stance cue and the last one, across a contrast
* ``s:`` structure: the final clause is a question, no stance at all, length
"""

from __future__ import annotations

from collections import OrderedDict

import snowballstemmer

from .pipeline.analysis import Analysis
from .pipeline.lexicon import STANCE_CUES

__all__ = ["FeatureExtractor"]

Span = tuple[int, ...]


class FeatureExtractor:
    """Turns an :class:`Analysis` of a Doc into ``(feature, char_span)`` pairs.

    ``char_span`` is ``(start, end)``, ``(start1, end1, start2, end2)`` for a
bigram (its two words), or ``None`` for structural features.
    Holds a bounded stem cache (per instance, not global).
    """

    def __init__(self, *, bigrams: bool = True, cache_size: int = 20_000):
        self.bigrams = bigrams
        self.cache_size = cache_size
        self._stemmer = snowballstemmer.stemmer("english")
        self._stems: OrderedDict[str, str] = OrderedDict()

    def __getstate__(self):
        return {"bigrams": self.bigrams, "cache_size": self.cache_size}

    def __setstate__(self, state):
        self.__init__(**state)

    def _stem(self, word: str) -> str:
        s = self._stems.get(word)
        if s is None:
            s = self._stemmer.stemWord(word) if word.isalpha() else word
            self._stems[word] = s
            if len(self._stems) > self.cache_size:
                self._stems.popitem(last=False)
        return s

    def __call__(self, doc, a: Analysis) -> list[tuple[str, Span | None]]:
        view = a.view
        words, clause, negated = view.words, a.clause, a.negated
        out: list[tuple[str, Span | None]] = []
        if not words:
            return [("s:empty", None)]
        spans = view.chars
        last = a.n_clauses - 1
        stems = [self._stem(w) for w in words]
        for i, s in enumerate(stems):
            sp = spans[i]
            out.append((("w:NOT_" if negated[i] else "w:") + s, sp))
            if clause[i] == last:
                out.append(("lw:" + s, sp))
            if self.bigrams and i and clause[i - 1] == clause[i]:
                out.append(("b:" + stems[i - 1] + "_" + s, spans[i - 1] + sp))  # two word spans
        # cues
        by_clause: dict[int, list[str]] = {}
        stance_clauses = []
        stance_seq: list[tuple[str, int]] = []
        for c in a.cues:
            name = c.label + ("+NEG" if c.negated else "")
            sp = (spans[c.start][0], spans[c.end - 1][1])
            cl = clause[c.start]
            out.append(("c:" + name, sp))
            if cl == last:
                out.append(("lc:" + name, sp))
            by_clause.setdefault(cl, []).append(name)
            if c.label in STANCE_CUES:
                stance_clauses.append(cl)
                stance_seq.append((name, c.start))
        stance_clause = stance_clauses[-1] if stance_clauses else None
        for c in a.cues:
            if clause[c.start] == stance_clause:
                out.append(("sc:" + c.label + ("+NEG" if c.negated else ""),
                            (spans[c.start][0], spans[c.end - 1][1])))
        for cl, names in by_clause.items():
            uniq = sorted(set(names))
            for x in range(len(uniq)):
                for y in range(x + 1, len(uniq)):
                    pair = uniq[x] + "&" + uniq[y]
                    out.append(("p:" + pair, None))
                    if cl == last:
                        out.append(("lp:" + pair, None))
        if len(stance_seq) >= 2 and stance_seq[-2][0] != stance_seq[-1][0]:
            out.append(("flip:" + stance_seq[-2][0] + ">" + stance_seq[-1][0], None))
        # structure
        # a negator that ends the final clause negates nothing in view: "but I can't", "but not now"
        last_words = [i for i in range(len(words)) if clause[i] == last]
        tail = last_words[-3:]
        if any(words[i] in ("not", "no", "never") for i in tail) and not any(negated[i] for i in tail[-1:]):
            out.append(("s:bare_negation_end", spans[tail[-1]]))
        if last in a.questions:
            out.append(("s:question_last", None))
        if a.questions and len(a.questions) == a.n_clauses:
            out.append(("s:all_questions", None))
        if not stance_seq:
            out.append(("s:no_stance", None))
        n = len(words)
        out.append(("s:len_" + ("1" if n == 1 else "2-3" if n <= 3 else "4-8" if n <= 8 else "9-20" if n <= 20 else "21+"), None))
        return out
