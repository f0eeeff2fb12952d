"""The held-out part of your labels: a deterministic split by a hash of the text.

A record is held out when the sha256 of its normalized text (see
:func:`closing_signal.data.dedup.normalize_tokens`) falls in the first
``fraction`` of the hash range. Near-duplicates go together: each is hashed by
its group's first normalized text in sorted order, so "I'd love to join" and
"um I'd love to join!" never straddle the split. The same labels give the same
split on every machine, and adding labels never moves an old one across unless
it joins a new near-duplicate group.

>>> from closing_signal.data.records import Record
>>> recs = [Record(f"reply {i}", "ambiguous", f"f:{i}") for i in range(50)]
>>> train, held = split_holdout(recs)
>>> len(train), len(held), split_holdout(recs) == (train, held)
(44, 6, True)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..data.dedup import cluster_near_duplicates, normalize_tokens

__all__ = ["split_holdout", "HOLDOUT_RULE"]

#: How the split is made, in words (printed and written into the model card).
HOLDOUT_RULE = "held out when sha256 of the normalized text (near-duplicates grouped) falls in the first {pct}%"


def _bucket(key: str) -> float:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") / 2**64


def split_holdout(records: Sequence, fraction: float = 0.2) -> tuple[list, list]:
    """``(train, held_out)`` of ``records`` (anything with ``.text``), each in input order."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    keys = [" ".join(normalize_tokens(r.text)) for r in records]
    groups = cluster_near_duplicates(r.text for r in records)
    first: dict[int, str] = {}
    for g, k in zip(groups, keys):
        first[g] = min(first.get(g, k), k)
    held = [_bucket(first[g]) < fraction for g in groups]
    return [r for r, h in zip(records, held) if not h], [r for r, h in zip(records, held) if h]


def without(records: Sequence, held: Sequence) -> list:
    """``records`` minus any whose normalized text is that of a held-out record (no leak into training).

    >>> from closing_signal.data.records import Record
    >>> [r.text for r in without([Record("I'm in!", "interest", "a:1"), Record("No", "disinterest", "a:2")],
    ...                          [Record("im in", "interest", "b:1")])]
    ['No']
    """
    gone = {tuple(normalize_tokens(r.text)) for r in held}
    return [r for r in records if tuple(normalize_tokens(r.text)) not in gone]


def before_after(held: Sequence, before, after) -> dict:
    """Scores of the ``before`` and ``after`` models on the held-out records:
    ``{"n", "before": report, "after": report}`` (reports as ``Report.to_dict()`` without errors)."""
    from ..evaluation import evaluate

    texts, gold = [r.text for r in held], [r.label for r in held]

    def score(model) -> dict:
        rep = evaluate(model, texts, gold, n_errors=0).to_dict()
        return {k: v for k, v in rep.items() if k not in ("errors", "reliability")}

    return {"n": len(held), "before": score(before), "after": score(after)}
