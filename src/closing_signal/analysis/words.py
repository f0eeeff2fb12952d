"""The clean view's vocabulary: what each spaCy ``NORM`` becomes, and what
the analysis needs to know of each clean word — as NumPy arrays, so a batch
of Docs is read with array lookups instead of a Python loop per token.

A ``NORM`` is one of: a word, expanded to one or more clean words by the
lexicon's spellings (``wanna`` → ``want to``); boundary punctuation, which
marks the word before it (a comma, a sentence end, a question mark); or
nothing (fillers, emoji, symbols, other punctuation).
"""

from __future__ import annotations

import itertools
import threading

import numpy as np
from spacy.lang.lex_attrs import is_punct

__all__ = ["WordTable", "WORD", "PUNCT", "DROP", "BOUNDARY", "SENTENCE_END", "QUESTION_MARK",
           "NEGATOR", "BREAKER", "PRONOUN", "QUESTION_SUBJECT", "WH", "AUX", "LEAD", "KEEPS_FILLER",
           "BARE_NEGATOR"]

# kinds of NORM
WORD, PUNCT, DROP = 0, 1, 2
# punctuation flags (of the punctuation after a word)
BOUNDARY, SENTENCE_END, QUESTION_MARK = 1, 2, 4
# clean-word flags
NEGATOR, BREAKER, PRONOUN, QUESTION_SUBJECT, WH, AUX, LEAD, KEEPS_FILLER, BARE_NEGATOR, TAG = (1 << k for k in range(10))

_SENTENCE_END = frozenset(".!?;:…-—–")
_PRONOUNS = frozenset({"i", "we", "it", "that", "this", "you", "there"})
_FLAG_WORDS = {
    PRONOUN: _PRONOUNS,
    QUESTION_SUBJECT: _PRONOUNS | {"the", "there"},
    WH: frozenset({"what", "when", "how", "who", "where", "which", "why"}),
    AUX: frozenset({"is", "are", "will", "do", "does", "should", "can", "could", "would", "shall", "did", "am",
                    "may"}),
    LEAD: frozenset({"so", "and", "ok", "okay", "then", "great", "right", "alright", "cool", "well", "oh", "yeah",
                     "sure"}),
    KEEPS_FILLER: frozenset({"it", "that", "what"}),   # "i mean it", "you know what i want"
    BARE_NEGATOR: frozenset({"not", "no", "never"}),
    # a clause of these alone tags the one before it ("Sign me up! Seriously.")
    TAG: frozenset({"seriously", "honestly", "really", "truly", "genuinely", "definitely", "absolutely", "totally",
                    "certainly", "literally", "lol", "haha", "promise", "i", "mean", "it"}),
}


class _Column:
    """A growable NumPy array."""

    def __init__(self, dtype):
        self.a = np.zeros(1024, dtype=dtype)
        self.n = 0

    def append(self, v) -> int:
        if self.n == len(self.a):
            self.a = np.concatenate([self.a, np.zeros_like(self.a)])
        self.a[self.n] = v
        self.n += 1
        return self.n - 1


class _Table:
    """One generation of one thread's :class:`WordTable` (see there)."""

    def __init__(self, lexicon, generation: int):
        self.lexicon = lexicon
        self.generation = generation
        self._types: dict[int, int] = {}
        self.kind, self.pflags = _Column(np.int8), _Column(np.int8)
        self.exp_start, self.exp_len = _Column(np.int64), _Column(np.int64)
        self.exp = _Column(np.int64)
        self._ids: dict[str, int] = {}
        self.words: list[str] = []
        self.flags, self.lex = _Column(np.int64), _Column(np.int64)
        for w in ("so", "that", "said", *(w for p in lexicon.filler_phrases for w in p)):
            self.word_id(w)
        self.ids = dict(self._ids)

    def word_id(self, w: str) -> int:
        i = self._ids.get(w)
        if i is None:
            lex = self.lexicon
            f = (NEGATOR if w in lex.negators else 0) | (BREAKER if w in lex.clause_breakers else 0)
            for flag, words in _FLAG_WORDS.items():
                if w in words:
                    f |= flag
            i = self._ids[w] = len(self.words)
            self.words.append(w)
            self.flags.append(f)
            self.lex.append(lex.phrase_words.get(w, 0))
        return i

    def _add_type(self, norm: str, is_punct: bool) -> int:
        kind, pflags, words = DROP, 0, ()
        if is_punct or not norm.strip():
            if norm in _SENTENCE_END or norm in {",", "...", "--"} or norm[:1] in _SENTENCE_END:
                kind = PUNCT
                pflags = BOUNDARY | (SENTENCE_END if any(c in _SENTENCE_END for c in norm) else 0) \
                    | (QUESTION_MARK if "?" in norm else 0)
        elif norm not in self.lexicon.fillers and any(ch.isalnum() for ch in norm):
            kind, words = WORD, self.lexicon.spellings.get(norm, (norm,))
        self.kind.append(kind)
        self.pflags.append(pflags)
        self.exp_start.append(self.exp.n)
        self.exp_len.append(len(words))
        for w in words:
            self.exp.append(self.word_id(w))
        return self.kind.n - 1

    def types(self, hashes: list[int], strings) -> np.ndarray:
        """Type ids of distinct NORM hashes (``strings``: the Docs' StringStore)."""
        get = self._types.get
        out = [get(h) for h in hashes]
        for k, t in enumerate(out):
            if t is None:
                h = hashes[k]
                norm = strings[h]
                out[k] = self._types[h] = self._add_type(norm, is_punct(norm))
        return np.array(out, dtype=np.int64)


class _PerThread(threading.local):
    """The calling thread's current :class:`_Table`, ``table`` (made on its first use in each thread)."""

    def __init__(self, owner: WordTable):
        self.owner = owner

    def __getattr__(self, name: str):
        if name != "table":
            raise AttributeError(name)
        self.table = self.owner._new_table()
        return self.table


def _per_thread(name: str) -> property:
    return property(lambda self: getattr(self._local.table, name), doc=f"This thread's ``{name}``.")


class WordTable:
    """NORM hash → kind, punctuation flags and clean words; clean word → id,
    flags and lexicon word id. Bounded: past ``limit`` entries it starts
    afresh (``generation`` changes, so caches keyed by word id know when to
    drop theirs) — a stream of new words never grows memory.

    Special words get fixed ids (``self.ids["so"]``…) in every generation.

    Thread-safe: each thread reads Docs through its own table (``kind``,
    ``words``, ``ids``, ``generation``… are the calling thread's), so no
    thread sees ids change or start afresh under a batch it is analysing.
    Generations are numbered across threads: a ``(table, generation)`` pair
    names one set of ids.
    """

    limit = 20_000

    def __init__(self, lexicon):
        self.lexicon = lexicon
        self._generations = itertools.count(1)
        self._local = _PerThread(self)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("_local", "_generations")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._generations = itertools.count(1)
        self._local = _PerThread(self)

    def _new_table(self) -> _Table:
        return _Table(self.lexicon, next(self._generations))

    generation, kind, pflags, exp_start, exp_len, exp, words, flags, lex, ids = map(
        _per_thread, ("generation", "kind", "pflags", "exp_start", "exp_len", "exp", "words", "flags", "lex", "ids"))

    def word_id(self, w: str) -> int:
        return self._local.table.word_id(w)

    def types(self, hashes: list[int], strings) -> np.ndarray:
        """Type ids of distinct NORM hashes (``strings``: the Docs' StringStore)."""
        return self._local.table.types(hashes, strings)

    def begin_batch(self) -> None:
        """Start afresh if this thread's table is over its limit (only
        between batches: ids stay valid within one)."""
        t = self._local.table
        if len(t._types) > self.limit or len(t.words) > self.limit:
            self._local.table = self._new_table()
