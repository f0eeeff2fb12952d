"""The cue lexicon: phrase tables by cue type and the word lists that shape
the clean view of a Doc (:mod:`closing_signal.analysis.words`).

Cue phrases are matched on the clean view — spaCy's ``NORM`` with speech and
chat spellings expanded and fillers, stutters and punctuation left out —
because spaCy's PhraseMatcher cannot skip a filler inside a phrase ("i'd uh
love to"), which speech-to-text closings are full of. The phrases of each
layer are compiled into a trie held as NumPy arrays, so a whole batch of Docs
is matched with a few array operations per phrase length.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .words import WordTable

__all__ = ["Lexicon", "Trie", "STANCE_CUES"]

#: Cue types that state a stance (the rest are context: politeness, process…).
STANCE_CUES = frozenset({"INTEREST", "FIT", "ACCEPT", "MOVE_FORWARD", "DECLINE", "DEALBREAKER",
                         "FAREWELL_OUT", "TAKEN", "SARCASM", "INTENSIFIER"})
# Cue types matched independently of the others (each in its own layer).
_LAYERS = ({"QUESTION_WORD", "NEXT_QUESTION"}, {"CONTRAST"})


@dataclass(frozen=True)
class Trie:
    """The phrases of one layer. Words are lexicon word ids (1-based, 0 = a
    word in no phrase); node 0 is the root.

    ``root[w]`` is the node after word ``w`` (-1: no phrase starts with it);
    an edge ``(node, w)`` is found by binary search of ``node * n_words + w``
    in ``keys`` and leads to ``child``; ``term[node]`` is the label set of the
    phrase ending there (-1: none).
    """

    root: np.ndarray
    keys: np.ndarray
    child: np.ndarray
    term: np.ndarray
    n_words: int
    max_len: int


class Lexicon:
    """Cue phrases by type, plus the word lists that shape the clean view.

    >>> lex = Lexicon.default()
    >>> "INTEREST" in lex.cue_types
    True
    """

    def __init__(self, data: Mapping):
        self.data = json.loads(json.dumps(data))  # a private, JSON-clean copy
        self._digest: str | None = None
        self._words = None
        cues = self.data["cues"]
        #: cue types, sorted: a cue's label id is its index here
        self.cue_types: tuple[str, ...] = tuple(sorted(cues))
        self.negators = frozenset(self.data["negators"])
        self.fillers = frozenset(self.data["fillers"])
        self.filler_phrases = tuple(tuple(p.split()) for p in self.data["filler_phrases"])
        self.clause_breakers = frozenset(self.data["clause_breakers"])
        self.spellings: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in self.data["spellings"].items()}
        layer_of = {t: i + 1 for i, layer in enumerate(_LAYERS) for t in layer}
        tables: list[dict[tuple[str, ...], set[str]]] = [{} for _ in range(len(_LAYERS) + 1)]
        for ctype, phrases in cues.items():
            table = tables[layer_of.get(ctype, 0)]
            for phrase in phrases:
                key = tuple(w for p in phrase.lower().split() for w in self.spellings.get(p, (p,)))
                if key:
                    table.setdefault(key, set()).add(ctype)
        #: every word of a phrase -> its lexicon word id (1-based)
        self.phrase_words: dict[str, int] = {
            w: i + 1 for i, w in enumerate(sorted({w for t in tables for key in t for w in key}))}
        label_id = {t: i for i, t in enumerate(self.cue_types)}
        set_id: dict[tuple[int, ...], int] = {}
        self.tries = []
        for table in tables:
            nodes: dict[tuple[str, ...], int] = {(): 0}
            term = {}
            for key, labels in table.items():
                for k in range(1, len(key) + 1):
                    nodes.setdefault(key[:k], len(nodes))
                ls = tuple(sorted(label_id[x] for x in labels))
                term[nodes[key]] = set_id.setdefault(ls, len(set_id))
            self.tries.append(self._trie(nodes, term))
        #: label sets: tuples of label ids, sorted
        self.label_sets: list[tuple[int, ...]] = sorted(set_id, key=set_id.get)
        sizes = np.array([len(x) for x in self.label_sets], dtype=np.int64)
        #: (start, size, labels): label set ``s`` is ``labels[start[s]:start[s] + size[s]]``
        self.label_set_arrays = (np.cumsum(sizes) - sizes, sizes,
                                 np.array([lab for x in self.label_sets for lab in x], dtype=np.int64))

    def _trie(self, nodes: dict[tuple[str, ...], int], term: dict[int, int]) -> Trie:
        nw = len(self.phrase_words) + 1
        root = np.full(nw, -1, dtype=np.int64)
        edges = []
        for prefix, node in nodes.items():
            if not prefix:
                continue
            w = self.phrase_words[prefix[-1]]
            if len(prefix) == 1:
                root[w] = node
            else:
                edges.append((nodes[prefix[:-1]] * nw + w, node))
        edges.sort()
        t = np.full(len(nodes), -1, dtype=np.int64)
        for node, s in term.items():
            t[node] = s
        return Trie(root, np.array([k for k, _ in edges], dtype=np.int64),
                    np.array([c for _, c in edges], dtype=np.int64), t, nw,
                    max((len(p) for p in nodes), default=0))

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

    @property
    def words(self):
        """The :class:`~closing_signal.analysis.words.WordTable` of this lexicon
        (the normalization cache the analysis reads Docs through)."""
        if self._words is None:
            self._words = WordTable(self)
        return self._words
