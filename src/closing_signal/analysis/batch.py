"""Clauses, cues and negation scope of a batch of Docs, as flat arrays.

The analysis reads each Doc's tokens in bulk (``Doc.to_array``), turns them
into the clean view (:mod:`closing_signal.analysis.words`), then segments
clauses, matches cue phrases and scopes negation with array operations over
the whole batch: a Python loop per token would cost more than tokenizing.
The three spaCy components (:mod:`closing_signal.pipeline`) share it through
``Doc._.closing_analysis``; nothing here depends on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from spacy.attrs import IDX, LENGTH, NORM

from . import words as wt
from .arrays import unique_inverse
from .lexicon import STANCE_CUES, Lexicon, Trie

__all__ = ["Analysis", "DocAnalysis", "Cue", "analyze", "NEGATION_WINDOW", "MAX_TOKENS"]

#: Only the last MAX_TOKENS tokens of a Doc are analysed: the stance that
#: counts is the final one, and this bounds the work on a huge Doc.
MAX_TOKENS = 3000
#: Negation reaches at most this many words, and never past a comma or a clause end.
NEGATION_WINDOW = 6
# negators inside a matched phrase of these types are part of the phrase, not a scope
_ABSORBS_NEGATION = frozenset({"INTENSIFIER", "HEDGE", "DECLINE", "DEALBREAKER", "FAREWELL_OUT", "NEUTRAL_NO",
                               "CONDITION", "SARCASM"})
#: Cues that take in the negators inside them but are still negated by one before them.
_TURNED_BY_NEGATION = frozenset({"DECLINE"})
_ATTRS = [NORM, IDX, LENGTH]  # whether a word is punctuation comes from its NORM string, once per word


@dataclass(frozen=True, slots=True)
class Cue:
    """A matched cue in one Doc: clean-view word positions ``[start, end)``,
    its type, and whether it falls inside a negation scope."""

    start: int
    end: int
    label: str
    negated: bool


@dataclass(eq=False)
class Analysis:
    """The analysis of ``n_docs`` Docs. Word arrays run over the clean words
    of all Docs in order (``doc_start[d]:doc_start[d + 1]`` are Doc ``d``'s);
    clause ids are global; cue arrays are sorted by Doc, start, end, label."""

    lexicon: Lexicon
    generation: int          # of lexicon.words when made: word ids are valid in it
    n_docs: int
    doc_start: np.ndarray    # (n_docs + 1,) word offsets
    word: np.ndarray         # clean word id
    doc: np.ndarray          # Doc index
    token: np.ndarray        # token index in its Doc
    start: np.ndarray        # character span of the word's token
    end: np.ndarray
    punct: np.ndarray        # flags of the punctuation after the word
    clause: np.ndarray       # global clause id
    clause_first: np.ndarray  # (n_clauses,) the first word of each clause
    negated: np.ndarray      # bool: inside a negation scope
    clause_doc: np.ndarray   # (n_clauses,) Doc of each clause
    question: np.ndarray     # (n_clauses,) bool
    last_clause: np.ndarray  # (n_docs,) the final clause of each Doc, -1 if it has no words
    cue_doc: np.ndarray
    cue_start: np.ndarray    # global word index
    cue_end: np.ndarray
    cue_label: np.ndarray    # index into lexicon.cue_types
    cue_negated: np.ndarray

    @property
    def n_words(self) -> np.ndarray:
        return np.diff(self.doc_start)

    def stance_mask(self) -> np.ndarray:
        """Which cues state a stance."""
        stance = np.array([t in STANCE_CUES for t in self.lexicon.cue_types], dtype=bool)
        return stance[self.cue_label]

    def for_doc(self, i: int) -> DocAnalysis:
        return DocAnalysis(self, i)


class DocAnalysis:
    """One Doc's part of an :class:`Analysis` (what ``Doc._.closing_analysis`` holds)."""

    __slots__ = ("batch", "index", "_negated")

    def __init__(self, batch: Analysis, index: int):
        self.batch, self.index = batch, index
        self._negated = None

    @property
    def lexicon(self) -> Lexicon:
        return self.batch.lexicon

    def _words(self) -> slice:
        b = self.batch
        return slice(int(b.doc_start[self.index]), int(b.doc_start[self.index + 1]))

    @property
    def token_index(self) -> list[int]:
        """The token each clean word comes from."""
        return self.batch.token[self._words()].tolist()

    @property
    def clauses(self) -> list[tuple[int, int, bool]]:
        """``(first_token, end_token, is_question)`` of each clause."""
        b, s = self.batch, self._words()
        if s.start == s.stop:
            return []
        ids = range(int(b.clause[s.start]), int(b.clause[s.stop - 1]) + 1)
        firsts = b.clause_first[ids.start:ids.stop].tolist()
        ends = firsts[1:] + [s.stop]
        return [(int(b.token[a]), int(b.token[e - 1]) + 1, bool(b.question[c])) for c, a, e in zip(ids, firsts, ends)]

    @property
    def cues(self) -> list[Cue]:
        """Cues with clean-view positions local to this Doc."""
        b = self.batch
        off = int(b.doc_start[self.index])
        lo, hi = np.searchsorted(b.cue_doc, [self.index, self.index + 1])
        types = b.lexicon.cue_types
        return [Cue(int(s) - off, int(e) - off, types[int(lab)], bool(n))
                for s, e, lab, n in zip(b.cue_start[lo:hi], b.cue_end[lo:hi], b.cue_label[lo:hi],
                                        b.cue_negated[lo:hi])]

    @property
    def negated_tokens(self) -> frozenset[int]:
        """Indices of the tokens inside a negation scope (computed once)."""
        if self._negated is None:
            b, s = self.batch, self._words()
            self._negated = frozenset(b.token[s][b.negated[s]].tolist())
        return self._negated


def _tokens(docs: Iterable) -> tuple[np.ndarray, np.ndarray, np.ndarray, object, int]:
    """All tokens of ``docs`` (the last MAX_TOKENS of each): the attribute rows,
    the Doc index and the token index of each, the StringStore, the number of
    Docs. Each Doc is read once, in bulk, and not kept."""
    arrays, offsets = [], []
    append, attrs = arrays.append, _ATTRS
    doc = None
    for doc in docs:
        a = doc.to_array(attrs)  # (n, 3), also for n = 0 and 1
        n = len(a)
        if n > MAX_TOKENS:
            offsets.append((len(arrays), n - MAX_TOKENS))
            a = a[n - MAX_TOKENS:]
        append(a)
    if doc is None:
        return np.zeros((0, 3), dtype=np.uint64), np.zeros(0, np.int64), np.zeros(0, np.int64), None, 0
    lens = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
    rows = np.concatenate(arrays)
    d = np.repeat(np.arange(len(arrays)), lens)
    skip = np.zeros(len(arrays), dtype=np.int64)
    for i, k in offsets:
        skip[i] = k
    token = np.arange(len(rows)) - np.repeat(np.cumsum(lens) - lens - skip, lens)
    return rows, d, token, doc.vocab.strings, len(arrays)


def _clean_words(docs: Iterable, table: wt.WordTable) -> dict[str, np.ndarray]:
    """The clean view of every Doc: words (ids), their Doc, token, characters
    and the punctuation after them; stutters and filler phrases removed."""
    rows, tdoc, ttok, strings, n_docs = _tokens(docs)
    hashes, inv = unique_inverse(rows[:, 0])
    types = table.types(hashes.tolist(), strings)[inv]
    kind = table.kind.a[types]
    counts = np.where(kind == wt.WORD, table.exp_len.a[types], 0)
    before = np.cumsum(counts) - counts             # words before each token
    src = np.repeat(np.arange(len(types)), counts)  # the token of each word
    within = np.arange(len(src)) - np.repeat(before, counts)
    word = table.exp.a[table.exp_start.a[types[src]] + within]
    doc = tdoc[src]
    punct = np.zeros(len(word), dtype=np.int64)
    pt = np.flatnonzero(kind == wt.PUNCT)
    prev = before[pt] - 1
    ok = prev >= 0
    ok[ok] = doc[prev[ok]] == tdoc[pt[ok]]
    np.bitwise_or.at(punct, prev[ok], table.pflags.a[types[pt[ok]]].astype(np.int64))
    # a stutter: the same word again, nothing between ("i i think")
    keep = np.ones(len(word), dtype=bool)
    keep[1:] = ~((word[1:] == word[:-1]) & (doc[1:] == doc[:-1]) & (punct[:-1] == 0))
    if not keep.all():
        to = np.maximum.accumulate(np.where(keep, np.arange(len(word)), 0))
        np.bitwise_or.at(punct, to[~keep], punct[~keep])
        word, doc, src, punct = word[keep], doc[keep], src[keep], punct[keep]
    # filler phrases mid-utterance ("i, you know, love it"), not "i mean it"
    keep = np.ones(len(word), dtype=bool)
    if len(word):
        bounds = np.searchsorted(doc, np.arange(n_docs + 1))
        dstart, dend = bounds[doc], bounds[doc + 1]
        idx = np.arange(len(word))
        flags = table.flags.a[word]
        for phrase in table.lexicon.filler_phrases:
            n = len(phrase)
            hit = (idx > dstart) & (idx + n < dend)
            for k, w in enumerate(phrase):
                at = np.minimum(idx + k, len(word) - 1)
                hit &= word[at] == table.ids[w]
            nxt = np.minimum(idx + n, len(word) - 1)
            hit &= (flags[nxt] & wt.KEEPS_FILLER) == 0
            for k in range(n):
                keep[np.flatnonzero(hit) + k] = False
    if not keep.all():
        word, doc, src, punct = word[keep], doc[keep], src[keep], punct[keep]
    start = rows[src, 1].astype(np.int64)
    return {"word": word, "doc": doc, "token": ttok[src], "start": start,
            "end": start + rows[src, 2].astype(np.int64), "punct": punct, "n_docs": n_docs}


def _match(trie: Trie, lexw: np.ndarray, doc_end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longest-first, left-to-right, non-overlapping phrase matches:
    ``(start, length, label_set)`` arrays."""
    node0 = trie.root[lexw]
    pos = np.flatnonzero(node0 >= 0)
    node = node0[pos]
    best_len = np.where(trie.term[node] >= 0, 1, 0)
    best_set = trie.term[node].copy()
    active = np.arange(len(pos))
    for k in range(1, trie.max_len):
        active = active[pos[active] + k < doc_end[pos[active]]]
        if not len(active) or not len(trie.keys):
            break
        key = node[active] * trie.n_words + lexw[pos[active] + k]
        j = np.minimum(np.searchsorted(trie.keys, key), len(trie.keys) - 1)
        found = trie.keys[j] == key
        active, j = active[found], j[found]
        node[active] = trie.child[j]
        t = trie.term[node[active]]
        hit = active[t >= 0]
        best_len[hit] = k + 1
        best_set[hit] = t[t >= 0]
    sel = best_len > 0
    pos, best_len, best_set = pos[sel], best_len[sel], best_set[sel]
    return (pos, best_len, best_set) if not len(pos) else _greedy(pos, best_len, best_set)


def _greedy(pos: np.ndarray, length: np.ndarray, sets: np.ndarray):
    """Keep matches left to right, skipping any that starts inside a kept one.

    A match is kept iff it starts at or after the end of every kept match
    before it. Each pass decides from the previous pass's kept set; the
    decisions of the first k matches are final after k passes, and a chain of
    overlapping matches is short, so this stops after a few passes.
    """
    end = pos + length
    keep = np.ones(len(pos), dtype=bool)
    while True:
        reach = np.maximum.accumulate(np.where(keep, end, -1))
        new = np.ones(len(pos), dtype=bool)
        new[1:] = pos[1:] >= reach[:-1]
        if (new == keep).all():
            return pos[keep], length[keep], sets[keep]
        keep = new


def _ranges(n: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Boolean mask of the union of ``[lo, hi)`` ranges over ``n`` positions."""
    diff = np.zeros(n + 1, dtype=np.int64)
    ok = lo < hi
    np.add.at(diff, lo[ok], 1)
    np.add.at(diff, hi[ok], -1)
    return np.cumsum(diff[:n]) > 0


def analyze(docs: Iterable, lexicon: Lexicon) -> Analysis:
    """The analysis of ``docs`` (Docs sharing one vocab; any iterable: each
    Doc is read once and not kept)."""
    table = lexicon.words
    table.begin_batch()
    cw = _clean_words(docs, table)
    word, doc, punct, n_docs = cw["word"], cw["doc"], cw["punct"], cw["n_docs"]
    n = len(word)
    idx = np.arange(n)
    doc_start = np.searchsorted(doc, np.arange(n_docs + 1))
    dend = doc_start[doc + 1]
    flags = table.flags.a[word]
    has_next = idx + 1 < dend
    nxt = np.minimum(idx + 1, max(n - 1, 0))
    next_word = np.where(has_next, word[nxt], -1)
    next_flags = np.where(has_next, flags[nxt], 0)
    ids = table.ids

    # clauses: sentence punctuation ends one; a contrast marker, "so" + pronoun
    # or "that said" starts one (all that is left when speech-to-text drops punctuation)
    first = idx == doc_start[doc]
    prev_punct = np.zeros_like(punct)
    prev_punct[1:] = punct[:-1]
    starts = first | (prev_punct & wt.SENTENCE_END).astype(bool) | (flags & wt.BREAKER).astype(bool) \
        | ((word == ids["so"]) & (next_flags & wt.PRONOUN).astype(bool)) \
        | ((word == ids["that"]) & (next_word == ids["said"]))
    clause = np.cumsum(starts) - 1
    clause_first = np.flatnonzero(starts)
    n_clauses = len(clause_first)
    clause_doc = doc[clause_first]
    question = np.zeros(n_clauses, dtype=bool)
    question[clause[(punct & wt.QUESTION_MARK).astype(bool)]] = True
    asks = starts & ((flags & wt.WH).astype(bool)
                     | ((flags & wt.AUX).astype(bool) & (next_flags & wt.QUESTION_SUBJECT).astype(bool)))
    question[clause[asks]] = True
    has_words = doc_start[1:] > doc_start[:-1]
    last_clause = np.where(has_words, clause[np.maximum(doc_start[1:] - 1, 0)] if n else -1, -1)
    # a closing ends with its last clause that is more than a tag ("Seriously.", "I mean it.")
    tag_only = np.bincount(clause[~(flags & wt.TAG).astype(bool)], minlength=n_clauses) == 0
    last_real = np.full(n_docs, -1, dtype=np.int64)
    real = np.flatnonzero(~tag_only)
    np.maximum.at(last_real, clause_doc[real], real)
    last_clause = np.where(has_words & (last_real >= 0), last_real, last_clause)

    # cues, each layer matched on its own
    lexw = table.lex.a[word]
    parts = [_match(trie, lexw, dend) for trie in lexicon.tries]
    pos = np.concatenate([p[0] for p in parts])
    length = np.concatenate([p[1] for p in parts])
    sets = np.concatenate([p[2] for p in parts])
    set_start, set_size, set_labels = lexicon.label_set_arrays
    reps = set_size[sets]
    cue_start = np.repeat(pos, reps)
    cue_end = cue_start + np.repeat(length, reps)
    within = np.arange(len(cue_start)) - np.repeat(np.cumsum(reps) - reps, reps)
    cue_label = set_labels[np.repeat(set_start[sets], reps) + within]
    order = np.lexsort((cue_label, cue_end, cue_start))
    cue_start, cue_end, cue_label = cue_start[order], cue_end[order], cue_label[order]

    # negation: a negator opens a scope of up to NEGATION_WINDOW words that stops
    # at a comma or clause end — unless it belongs to a phrase ("not sure")
    absorbs = np.array([t in _ABSORBS_NEGATION for t in lexicon.cue_types], dtype=bool)
    turns = np.array([t in _TURNED_BY_NEGATION for t in lexicon.cue_types], dtype=bool)
    ab = absorbs[cue_label]
    absorbed = _ranges(n, cue_start[ab], cue_end[ab])
    boundary = punct != 0
    neg = np.flatnonzero((flags & wt.NEGATOR).astype(bool) & ~absorbed & ~boundary)
    clause_end = np.append(clause_first[1:], n)
    next_boundary = np.append(np.minimum.accumulate(np.where(boundary, idx, n)[::-1])[::-1], n)
    hi = np.minimum(np.minimum(neg + 1 + NEGATION_WINDOW, clause_end[clause[neg]]), next_boundary[neg + 1] + 1)
    negated = _ranges(n, neg + 1, hi)

    # a question word counts only where it opens its clause ("so what are the next steps")
    qw = lexicon.cue_types.index("QUESTION_WORD") if "QUESTION_WORD" in lexicon.cue_types else -1
    lead_first = np.zeros(n, dtype=bool)
    lead_first[1:] = (flags[:-1] & wt.LEAD).astype(bool) & starts[:-1]
    opens = starts | lead_first
    keep = (cue_label != qw) | opens[cue_start]
    cue_start, cue_end, cue_label = cue_start[keep], cue_end[keep], cue_label[keep]
    # a decline after a negator of its own is turned round ("I wouldn't say no", "no way I'd pass")
    cue_negated = negated[cue_start] & ~(absorbs & ~turns)[cue_label]
    return Analysis(lexicon, table.generation, n_docs, doc_start, word, doc, cw["token"], cw["start"], cw["end"],
                    punct, clause, clause_first, negated, clause_doc, question, last_clause, doc[cue_start], cue_start, cue_end,
                    cue_label, cue_negated)
