"""Near-duplicate detection for labeled utterances.

Two utterances are near-duplicates when, after :func:`normalize_tokens`
(lower case, no punctuation, no fillers or stutters), they are identical, or
both have at least three tokens and differ by at most
``max(1, round(0.15 * longest))`` token edits — "the same sentence with a
swapped noun".

>>> normalize_tokens("Um, I'm  I'm very interested!")
["i'm", 'very', 'interested']
>>> near_duplicate("I'm very interested in the role.", "um i'm very interested in the position")
True
>>> near_duplicate("Sold!", "No.")
False
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["normalize_tokens", "near_duplicate", "cluster_near_duplicates"]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_FILLERS = frozenset({"um", "umm", "uh", "uhh", "er", "erm", "hmm", "hm", "mm", "ah"})
_SPOKEN = {"gonna": ("going", "to"), "wanna": ("want", "to"), "gotta": ("got", "to"),
           "kinda": ("kind", "of"), "im": ("i'm",), "id": ("i'd",), "ive": ("i've",),
           "dont": ("don't",), "cant": ("can't",), "couldnt": ("couldn't",),
           "wont": ("won't",), "didnt": ("didn't",), "isnt": ("isn't",)}


def normalize_tokens(text: str) -> list[str]:
    """Tokens of ``text`` in a canonical form used for duplicate detection."""
    text = text.lower().replace("\u2019", "'")
    out: list[str] = []
    for tok in _WORD.findall(text):
        if tok in _FILLERS:
            continue
        for part in _SPOKEN.get(tok, (tok,)):
            if out and out[-1] == part:  # stutters / false starts: "i i"
                continue
            out.append(part)
    return out


def _allowed(n: int, m: int) -> int:
    if min(n, m) < 3:
        return 0
    return max(1, round(0.15 * max(n, m)))


def _edit_distance_at_most(a: Sequence[str], b: Sequence[str], k: int) -> bool:
    """Token Levenshtein distance <= k, banded to O(len * k)."""
    if abs(len(a) - len(b)) > k:
        return False
    if k == 0:
        return list(a) == list(b)
    big = k + 1
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [big] * (len(b) + 1)
        cur[0] = i
        lo, hi = max(1, i - k), min(len(b), i + k)
        for j in range(lo, hi + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
        if min(cur[max(0, lo - 1): hi + 1]) > k:
            return False
        prev = cur
    return prev[len(b)] <= k


def _tokens_near(a: Sequence[str], b: Sequence[str]) -> bool:
    k = _allowed(len(a), len(b))
    if k and len(set(a) ^ set(b)) > 2 * k:
        return False
    return _edit_distance_at_most(a, b, k)


def near_duplicate(a: str, b: str) -> bool:
    """Whether two texts are near-duplicates (see module docstring)."""
    return _tokens_near(normalize_tokens(a), normalize_tokens(b))


def cluster_near_duplicates(texts: Iterable[str]) -> list[int]:
    """Cluster id per text (union-find over near-duplicate pairs).

    Texts are compared only with texts of similar length, so the cost stays
    manageable for a few thousand utterances.
    """
    toks = [tuple(normalize_tokens(t)) for t in texts]
    parent = list(range(len(toks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_len: dict[int, list[int]] = {}
    exact: dict[tuple[str, ...], int] = {}
    for i, t in enumerate(toks):
        if t in exact:
            parent[find(i)] = find(exact[t])
            continue
        exact[t] = i
        by_len.setdefault(len(t), []).append(i)
    for n, idx in by_len.items():
        for m in range(n, n + _allowed(n, n + 30) + 1):
            other = by_len.get(m, [])
            for i in idx:
                for j in other:
                    if (m == n and j <= i) or find(i) == find(j):
                        continue
                    if _tokens_near(toks[i], toks[j]):
                        parent[find(i)] = find(j)
    return [find(i) for i in range(len(toks))]
