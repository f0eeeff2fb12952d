"""Cue lexicon and the disfluency-tolerant view of a Doc that cues match on.

Cue phrases are matched on a *clean view* of the tokens: spaCy's ``NORM``
(``can't`` → ``can not``), a few spellings of speech and chat (``wanna``,
``im``, ``tbh``), with fillers (``um``, ``you know``), stutters (``i i``) and
punctuation left out. spaCy's PhraseMatcher cannot skip a filler inside a
phrase ("i'd uh love to"), which speech-to-text closings are full of, so the
matching here is a small longest-match over a phrase table instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from spacy.attrs import IDX, IS_PUNCT, LENGTH, NORM

__all__ = ["Lexicon", "CleanView", "Match", "STANCE_CUES"]

#: Cue types that state a stance (the rest are context: politeness, process…).
STANCE_CUES = frozenset({"INTEREST", "FIT", "ACCEPT", "MOVE_FORWARD", "DECLINE", "DEALBREAKER",
                         "FAREWELL_OUT", "TAKEN", "SARCASM", "INTENSIFIER"})
# Cue types matched independently of the others (each in its own layer).
_LAYERS = ({"QUESTION_WORD", "NEXT_QUESTION"}, {"CONTRAST"})
_BOUNDARY_PUNCT = frozenset(".!?;:…-—–")


@dataclass(frozen=True, slots=True)
class Match:
    """A cue match over clean-view positions ``[start, end)``."""

    start: int
    end: int
    label: str


@dataclass(slots=True)
class CleanView:
    """The normalized words of a Doc and, for each, the token it came from."""

    words: list[str]
    token_index: list[int]
    punct_after: list[str]      # the punctuation that follows the word, "" if none
    chars: list[tuple[int, int]]  # character span of the word's token

    @property
    def boundary_after(self) -> list[bool]:
        """Whether a comma or sentence/clause punctuation follows each word."""
        return [bool(p) for p in self.punct_after]


class Lexicon:
    """Cue phrases by type, plus the word lists that shape the clean view.

    >>> lex = Lexicon.default()
    >>> "INTEREST" in lex.cue_types
    True
    """

    def __init__(self, data: Mapping):
        self.data = json.loads(json.dumps(data))  # a private, JSON-clean copy
        self._digest: str | None = None
        cues = self.data["cues"]
        self.cue_types: tuple[str, ...] = tuple(sorted(cues))
        self.negators = frozenset(self.data["negators"])
        self.fillers = frozenset(self.data["fillers"])
        self.filler_phrases = tuple(tuple(p.split()) for p in self.data["filler_phrases"])
        self._filler_firsts = frozenset(p[0] for p in self.filler_phrases)
        self._norm_cache: dict[int, tuple[int, object]] = {}
        self.clause_breakers = frozenset(self.data["clause_breakers"])
        self.spellings: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in self.data["spellings"].items()}
        layer_of = {t: i + 1 for i, layer in enumerate(_LAYERS) for t in layer}
        tables: list[dict[tuple[str, ...], tuple[str, ...]]] = [{} for _ in range(len(_LAYERS) + 1)]
        for ctype, phrases in cues.items():
            table = tables[layer_of.get(ctype, 0)]
            for phrase in phrases:
                key = tuple(w for p in phrase.lower().split() for w in self.spellings.get(p, (p,)))
                if key:
                    table[key] = tuple(sorted(set(table.get(key, ())) | {ctype}))
        # first word -> candidate phrases, longest first: one dict lookup per word
        self._index: list[dict[str, list[tuple[tuple[str, ...], int, tuple[str, ...]]]]] = []
        for table in tables:
            idx: dict[str, list] = {}
            for key, labels in table.items():
                idx.setdefault(key[0], []).append((key, len(key), labels))
            for cands in idx.values():
                cands.sort(key=lambda c: -c[1])
            self._index.append(idx)

    @classmethod
    def default(cls) -> Lexicon:
        """The lexicon shipped with the package."""
        raw = resources.files("closing_signal").joinpath("lexicon/cues.json").read_text(encoding="utf-8")
        return cls(json.loads(raw))

    @classmethod
    def from_path(cls, path: str | Path) -> Lexicon:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def to_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @property
    def digest(self) -> str:
        """sha256 of the canonical JSON: identifies the lexicon a model was trained with."""
        if self._digest is None:
            self._digest = hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()
        return self._digest

    # -- the clean view ---------------------------------------------------
    def view(self, doc, start: int = 0) -> CleanView:
        """Clean view of ``doc[start:]``.

        Token attributes are read in bulk with ``Doc.to_array`` and each
        distinct NORM is normalized once (bounded cache): creating a Python
        ``Token`` per token would cost more than tokenizing.
        """
        arr = doc.to_array([NORM, IS_PUNCT, IDX, LENGTH])
        if start:
            arr = arr[start:]
        words: list[str] = []
        index: list[int] = []
        chars: list[tuple[int, int]] = []
        punct: list[str] = []
        cache, strings = self._norm_cache, doc.vocab.strings
        for i, (h, is_punct, idx, length) in enumerate(arr.tolist(), start):
            entry = cache.get(h)
            if entry is None:
                entry = self._normalize(strings[h], bool(is_punct))
                if len(cache) >= 20_000:  # bounded: a stream of new words must not grow memory
                    cache.clear()
                cache[h] = entry
            kind, value = entry
            if kind == 0:      # a word (or a word expanded to several)
                for w in value:
                    if words and words[-1] == w and not punct[-1]:
                        continue  # stutter
                    words.append(w)
                    index.append(i)
                    chars.append((idx, idx + length))
                    punct.append("")
            elif kind == 1:    # boundary punctuation
                if words:
                    punct[-1] += value
            # kind 2: filler or other punctuation, dropped
        view = CleanView(words, index, punct, chars)
        if self.filler_phrases and len(words) > 2:
            self._drop_filler_phrases(view)
        return view

    def _normalize(self, norm: str, is_punct: bool) -> tuple[int, object]:
        if is_punct or not norm.strip():
            if norm in _BOUNDARY_PUNCT or norm in {",", "...", "--"} or norm[:1] in _BOUNDARY_PUNCT:
                return 1, norm
            return 2, None
        if norm in self.fillers or not any(ch.isalnum() for ch in norm):
            return 2, None  # fillers, emoji and symbols carry no words
        return 0, self.spellings.get(norm, (norm,))

    def _drop_filler_phrases(self, v: CleanView) -> None:
        words, index, punct, chars = v.words, v.token_index, v.punct_after, v.chars
        if not any(w in self._filler_firsts for w in words):
            return
        i = 0
        while i < len(words):
            for phrase in self.filler_phrases:
                n = len(phrase)
                # only mid-utterance, and not "i mean it" / "you know what i want"
                if tuple(words[i:i + n]) == phrase and 0 < i and i + n < len(words) and words[i + n] not in {"it", "that", "what"}:
                    del words[i:i + n], index[i:i + n], punct[i:i + n], chars[i:i + n]
                    break
            else:
                i += 1

    # -- matching ---------------------------------------------------------
    def match(self, words: list[str]) -> list[Match]:
        """Longest-first, left-to-right, non-overlapping matches in each layer."""
        out: list[Match] = []
        n = len(words)
        for index in self._index:
            i = 0
            while i < n:
                cands = index.get(words[i])
                if cands:
                    for key, length, labels in cands:
                        if length == 1 or tuple(words[i:i + length]) == key:
                            out.extend(Match(i, i + length, lab) for lab in labels)
                            i += length
                            break
                    else:
                        i += 1
                else:
                    i += 1
        out.sort(key=lambda m: (m.start, m.end, m.label))
        return out
