"""Features of an analysed batch, each with the characters it comes from.

Feature families (all binary):

* ``w:`` stemmed words, ``w:NOT_`` inside a negation scope; ``b:`` stem bigrams
* ``lw:`` words of the final clause (where the stance that counts sits);
  ``sw:`` words of the last clause that takes a stance (in a letter, the
  final clause is often a sign-off: the decision sits before it)
* ``c:`` cue types anywhere, ``+NEG`` when negated; ``lc:`` cues in the final
  clause; ``sc:`` cues in the last clause that takes a stance; ``xc:`` cues
  of a long text (a letter, a forum post, a story: more than
  ``LONG_TEXT`` words), weighed apart from the same cue in a short closing
* ``p:`` / ``lp:`` pairs of cue types sharing a clause (e.g. ``HEDGE&INTEREST``)
* ``flip:`` the previous stance cue and the last one, across a contrast
* ``s:`` structure: the final clause is a question, no stance at all, length

A feature is an integer key while it is computed (family, then up to two
ids: stems or cue names), so a batch is featurized with array operations; it
gets its name (``"w:love"``) only when a vocabulary is built or read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import snowballstemmer

from .analysis import words as wt
from .analysis.arrays import unique_sorted
from .analysis.batch import Analysis

__all__ = ["Featurizer", "Features", "ColumnIndex", "STRUCTURE"]

W, W_NOT, LW, BIGRAM, CUE, LAST_CUE, STANCE_CUE, PAIR, LAST_PAIR, FLIP, S, SW, LONG_CUE = range(1, 14)
_PREFIX = {W: "w:", W_NOT: "w:NOT_", LW: "lw:", BIGRAM: "b:", CUE: "c:", LAST_CUE: "lc:", STANCE_CUE: "sc:",
           PAIR: "p:", LAST_PAIR: "lp:", FLIP: "flip:", S: "s:", SW: "sw:", LONG_CUE: "xc:"}
_CUE_PREFIX = {"c": CUE, "lc": LAST_CUE, "sc": STANCE_CUE, "xc": LONG_CUE}
#: Cue families: their span is a cue phrase (evidence gives them the phrase).
CUE_FAMILIES = (CUE, LAST_CUE, STANCE_CUE, LONG_CUE)
#: A text of more words than this is long (``xc:`` cues; the ``len_21+`` bucket).
LONG_TEXT = 20
STRUCTURE = ("empty", "bare_negation_end", "question_last", "all_questions", "no_stance",
             "len_1", "len_2-3", "len_4-8", "len_9-20", "len_21+")
_S = {name: i for i, name in enumerate(STRUCTURE)}
_FAM, _A = 56, 28
_MASK = (1 << _A) - 1
UNKNOWN = _MASK  # a stem the model never saw


def _key(fam, a=0, b=0):
    return (np.int64(fam) << _FAM) | (np.asarray(a, dtype=np.int64) << _A) | np.asarray(b, dtype=np.int64)


@dataclass
class Features:
    """Features of ``n_docs`` Docs: one entry per (Doc, feature, span), in
    parallel arrays, grouped by family (:meth:`order` groups them by Doc).
    ``start2``/``end2`` are the second word of a bigram; spans are -1 for
    structural features."""

    n_docs: int
    row: np.ndarray
    key: np.ndarray
    start: np.ndarray
    end: np.ndarray
    start2: np.ndarray
    end2: np.ndarray

    @property
    def family(self) -> np.ndarray:
        return self.key >> _FAM

    def order(self) -> np.ndarray:
        """The row order that groups features by Doc (stable: within a Doc,
        in the order they were made)."""
        return np.argsort(self.row, kind="stable")


class ColumnIndex:
    """Feature key -> model column (-1: a key the model does not know).

    Word keys (``w:``, ``w:NOT_``, ``lw:``; most of a text's features) are
    looked up in a dense table by stem id, the others by binary search.
    """

    def __init__(self, keys: list[list[int]]):
        flat = sorted((k, j) for j, ks in enumerate(keys) for k in ks)
        key = np.array([k for k, _ in flat], dtype=np.int64)
        col = np.array([j for _, j in flat], dtype=np.int64)
        fam, b = key >> _FAM, key & _MASK
        word = (fam >= W) & (fam <= LW) & (((key >> _A) & _MASK) == 0)
        self.n_stems = int(b[word].max()) + 1 if word.any() else 0
        self.dense = np.full(3 * self.n_stems + 1, -1, dtype=np.int64)  # last slot: not a word key
        self.dense[(fam[word] - W) * self.n_stems + b[word]] = col[word]
        self.keys, self.cols = key[~word], col[~word]

    def __call__(self, key: np.ndarray) -> np.ndarray:
        fam, b = key >> _FAM, key & _MASK
        word = (fam >= W) & (fam <= LW)
        slot = np.where(word & (b < self.n_stems), (fam - W) * self.n_stems + b, 3 * self.n_stems)
        out = self.dense[slot]
        rest = np.flatnonzero(~word)
        if len(rest) and len(self.keys):
            k = key[rest]
            j = np.minimum(np.searchsorted(self.keys, k), len(self.keys) - 1)
            out[rest] = np.where(self.keys[j] == k, self.cols[j], -1)
        return out


class Featurizer:
    """Turns an :class:`~closing_signal.analysis.Analysis` into
    :class:`Features`, and names feature keys.

    ``frozen=True`` (a fitted model's featurizer): stems outside the model's
    features map to one unknown id, so memory stays bounded on any stream.
    Holds its stem table and a per-word stem cache (per instance, not global).
    """

    def __init__(self, *, bigrams: bool = True, frozen: bool = False, stance_words: bool = False):
        self.bigrams = bigrams
        self.frozen = frozen
        self.stance_words = stance_words
        self._stemmer = snowballstemmer.stemmer("english")
        self._stem_ids: dict[str, int] = {}
        self._stems: list[str] = []
        self._cache = np.zeros(0, dtype=np.int64)
        self._cache_of = None  # (word table, generation) the cache is for

    def __getstate__(self):
        return {"bigrams": self.bigrams, "frozen": self.frozen, "stance_words": self.stance_words,
                "stems": self._stems}

    def __setstate__(self, state):
        self.__init__(bigrams=state["bigrams"], frozen=state["frozen"], stance_words=state.get("stance_words", False))
        for s in state["stems"]:
            self._intern(s)

    # -- stems ------------------------------------------------------------
    def _intern(self, stem: str) -> int:
        i = self._stem_ids.get(stem)
        if i is None:
            i = self._stem_ids[stem] = len(self._stems)
            self._stems.append(stem)
        return i

    def _word_stems(self, a: Analysis) -> np.ndarray:
        table = a.lexicon.words
        if self._cache_of != (id(table), a.generation):
            self._cache, self._cache_of = np.full(len(table.words), -1, dtype=np.int64), (id(table), a.generation)
        if len(self._cache) < len(table.words):
            self._cache = np.concatenate([self._cache, np.full(len(table.words) - len(self._cache), -1)])
        need = unique_sorted(a.word[self._cache[a.word] < 0])
        for w in need.tolist():
            word = table.words[w]
            stem = self._stemmer.stemWord(word) if word.isalpha() else word
            self._cache[w] = self._stem_ids.get(stem, UNKNOWN) if self.frozen else self._intern(stem)
        return self._cache[a.word]

    # -- featurizing ------------------------------------------------------
    def __call__(self, a: Analysis) -> Features:
        n_docs, n = a.n_docs, len(a.word)
        stems = self._word_stems(a) if n else np.zeros(0, dtype=np.int64)
        doc, clause, start, end = a.doc, a.clause, a.start, a.end
        rows, keys, spans = [], [], []

        def add(r, k, s=None, e=None, s2=None, e2=None):
            rows.append(r)
            keys.append(k if np.ndim(k) else np.full(len(r), k, dtype=np.int64))
            minus = np.full(len(r), -1, dtype=np.int64)
            spans.append((minus if s is None else s, minus if e is None else e,
                          minus if s2 is None else s2, minus if e2 is None else e2))

        # words, negation, the final clause, bigrams
        last = a.last_clause[doc] == clause
        add(doc, _key(np.where(a.negated, W_NOT, W), 0, stems), start, end)
        add(doc[last], _key(LW, 0, stems[last]), start[last], end[last])
        if self.bigrams and n > 1:
            bi = np.flatnonzero(clause[1:] == clause[:-1]) + 1
            add(doc[bi], _key(BIGRAM, stems[bi - 1], stems[bi]), start[bi - 1], end[bi - 1], start[bi], end[bi])

        # cues
        cd, cs, ce = a.cue_doc, a.cue_start, a.cue_end
        name = a.cue_label * 2 + a.cue_negated  # names sort like "X" < "X+NEG" < "Y"
        cclause = clause[cs]
        cstart, cend = start[cs], end[ce - 1]
        add(cd, _key(CUE, 0, name), cstart, cend)
        in_last = cclause == a.last_clause[cd]
        add(cd[in_last], _key(LAST_CUE, 0, name[in_last]), cstart[in_last], cend[in_last])
        stance = a.stance_mask()
        st = np.flatnonzero(stance)
        last_st = np.full(n_docs, -1, dtype=np.int64)
        np.maximum.at(last_st, cd[st], st)
        stance_clause = np.where(last_st >= 0, cclause[np.maximum(last_st, 0)], -1) if len(cs) else last_st
        sc = cclause == stance_clause[cd]
        add(cd[sc], _key(STANCE_CUE, 0, name[sc]), cstart[sc], cend[sc])
        long_text = a.n_words[cd] > LONG_TEXT
        add(cd[long_text], _key(LONG_CUE, 0, name[long_text]), cstart[long_text], cend[long_text])
        if self.stance_words and n:
            sw = (clause == stance_clause[doc]) & (stance_clause[doc] != a.last_clause[doc])
            add(doc[sw], _key(SW, 0, stems[sw]), start[sw], end[sw])
        # pairs of distinct cue names within a clause
        if len(cs):
            m = 2 * len(a.lexicon.cue_types)
            u = unique_sorted(cclause * m + name)
            uc, un = np.divmod(u, m)  # sorted by clause, then name
            for k in range(1, len(u)):
                i = np.flatnonzero(uc[k:] == uc[:-k])
                if not len(i):
                    break
                d = a.clause_doc[uc[i]]
                add(d, _key(PAIR, un[i], un[i + k]))
                fin = uc[i] == a.last_clause[d]
                add(d[fin], _key(LAST_PAIR, un[i][fin], un[i + k][fin]))
        # a flip: the last two stance cues of a Doc name different stances
        if len(st) > 1:
            later = st[1:][(cd[st[1:]] == cd[st[:-1]]) & (last_st[cd[st[1:]]] == st[1:])]
            before = st[np.searchsorted(st, later) - 1]
            f = name[before] != name[later]
            add(cd[later[f]], _key(FLIP, name[before[f]], name[later[f]]))

        # structure
        nw = a.n_words
        has = nw > 0
        docs = np.arange(n_docs)
        add(docs[~has], _key(S, 0, _S["empty"]))
        d_end = a.doc_start[1:]
        bare = np.zeros(n_docs, dtype=bool)
        if n:
            # a negator among the last three words of the final clause
            last_first = np.where(has, a.clause_first[np.maximum(a.last_clause, 0)], 0)
            flags = a.lexicon.words.flags.a
            for k in range(1, 4):
                p = d_end - k
                ok = has & (p >= last_first)
                bare |= ok & (flags[a.word[np.maximum(p, 0)]] & wt.BARE_NEGATOR).astype(bool)
            tail = np.maximum(d_end - 1, 0)
            bare &= has & ~a.negated[tail]
            add(docs[bare], _key(S, 0, _S["bare_negation_end"]), start[tail[bare]], end[tail[bare]])
        q_last = has & a.question[np.maximum(a.last_clause, 0)] if len(a.question) else np.zeros(n_docs, bool)
        add(docs[q_last], _key(S, 0, _S["question_last"]))
        n_clauses = np.bincount(a.clause_doc, minlength=n_docs)
        n_q = np.bincount(a.clause_doc[a.question], minlength=n_docs)
        all_q = has & (n_q > 0) & (n_q == n_clauses)
        add(docs[all_q], _key(S, 0, _S["all_questions"]))
        no_stance = has & (last_st < 0)
        add(docs[no_stance], _key(S, 0, _S["no_stance"]))
        bucket = np.searchsorted(np.array([1, 3, 8, LONG_TEXT]), nw, side="left") + _S["len_1"]
        add(docs[has], _key(S, 0, bucket[has]))

        return Features(n_docs, np.concatenate(rows), np.concatenate(keys), *(np.concatenate(x) for x in zip(*spans)))

    # -- names ------------------------------------------------------------
    def _cue_name(self, i: int, cue_types) -> str:
        return cue_types[i >> 1] + ("+NEG" if i & 1 else "")

    def names(self, keys, cue_types) -> list[str]:
        """The names of feature keys (``cue_types``: the lexicon's)."""
        out = []
        for k in keys:
            k = int(k)
            fam, a, b = k >> _FAM, (k >> _A) & _MASK, k & _MASK
            p = _PREFIX[fam]
            if fam in (W, W_NOT, LW, SW):
                out.append(p + self._stems[b])
            elif fam == BIGRAM:
                out.append(p + self._stems[a] + "_" + self._stems[b])
            elif fam in CUE_FAMILIES:
                out.append(p + self._cue_name(b, cue_types))
            elif fam in (PAIR, LAST_PAIR):
                out.append(p + self._cue_name(a, cue_types) + "&" + self._cue_name(b, cue_types))
            elif fam == FLIP:
                out.append(p + self._cue_name(a, cue_types) + ">" + self._cue_name(b, cue_types))
            else:
                out.append(p + STRUCTURE[b])
        return out

    def keys(self, names: list[str], cue_types) -> list[list[int]]:
        """The keys of each named feature (a bigram of stems that contain
        ``_`` may have several); names of unknown form get none. Interns the
        stems they mention, so a frozen featurizer knows its model's stems."""
        cue = {self._cue_name(i, cue_types): i for i in range(2 * len(cue_types))}
        out: list[list[int]] = []
        for name in names:
            prefix, _, rest = name.partition(":")
            ks: list[int] = []
            if prefix == "w" and rest.startswith("NOT_"):
                ks.append((W_NOT << _FAM) | self._intern(rest[4:]))
            elif prefix in ("w", "lw", "sw"):
                ks.append(({"w": W, "lw": LW, "sw": SW}[prefix] << _FAM) | self._intern(rest))
            elif prefix == "b":
                for i, ch in enumerate(rest):
                    if ch == "_" and 0 < i < len(rest) - 1:
                        ks.append((BIGRAM << _FAM) | (self._intern(rest[:i]) << _A) | self._intern(rest[i + 1:]))
            elif prefix in _CUE_PREFIX and rest in cue:
                ks.append((_CUE_PREFIX[prefix] << _FAM) | cue[rest])
            elif prefix in ("p", "lp", "flip"):
                x, sep, y = rest.partition("&" if prefix != "flip" else ">")
                if sep and x in cue and y in cue:
                    fam = {"p": PAIR, "lp": LAST_PAIR, "flip": FLIP}[prefix]
                    ks.append((fam << _FAM) | (cue[x] << _A) | cue[y])
            elif prefix == "s" and rest in _S:
                ks.append((S << _FAM) | _S[rest])
            out.append(ks)
        return out
