"""Which closings to label: the ones the model is least sure of, no two alike.

Uncertainty comes from the calibrated probabilities: ``margin`` is one minus
the gap between the two most likely labels, ``entropy`` the entropy scaled to
[0, 1]; both are 1 for a coin toss and 0 for a sure answer. ``random`` ranks
by the seed alone (the baseline the loop is measured against). Ties are broken
by a hash of the seed and the text, so one seed gives one queue. Diversity:
walking down the ranking, an item that is a near-duplicate
(:mod:`closing_signal.data.dedup`) of one already picked is passed over.

>>> uncertainty({"interest": 0.98, "ambiguous": 0.01, "disinterest": 0.01})
0.03
>>> uncertainty({"interest": 0.5, "ambiguous": 0.5, "disinterest": 0.0}, "entropy")
0.6309
>>> from closing_signal import load
>>> from closing_signal.review.candidates import Candidate
>>> texts = ["What happens after today?", "I'll take it!", "i'll take it", "I love it here"]
>>> queue = select([Candidate(t, f"doc:{i}") for i, t in enumerate(texts)], load(), 3)
>>> len(queue), sum(q["text"].lower().startswith("i'll take it") for q in queue)   # one of the twins
(3, 1)
>>> sorted(queue[0]) == sorted(["id", "text", "source", "rank", "guess", "probabilities", "evidence",
...                             "uncertainty", "strategy", "model"])
True
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence

from ..data.dedup import cluster_near_duplicates, normalize_tokens
from .candidates import Candidate

__all__ = ["STRATEGIES", "uncertainty", "select", "item_id"]

STRATEGIES = ("margin", "entropy", "random")


def uncertainty(probabilities: dict[str, float], strategy: str = "margin") -> float:
    """How unsure the probabilities are, in [0, 1] (rounded to 4 places; ``random`` gives 0)."""
    p = sorted(probabilities.values(), reverse=True)
    if strategy == "margin":
        u = 1.0 - (p[0] - p[1])
    elif strategy == "entropy":
        u = -sum(x * math.log(x) for x in p if x > 0) / math.log(len(p))
    elif strategy == "random":
        u = 0.0
    else:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    return round(min(1.0, max(0.0, u)), 4)


def item_id(text: str) -> str:
    """A stable id for a closing: a hash of its text.

    >>> item_id("So what are the next steps?")
    'c-d1e2549ab524'
    """
    return "c-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _tiebreak(seed: int, text: str) -> bytes:
    return hashlib.sha256(f"{seed}\x00{text}".encode("utf-8")).digest()[:8]


def _diverse(order: list[int], texts: Sequence[str], n: int) -> list[int]:
    """The first ``n`` of ``order`` that are not near-duplicates of an earlier pick.
    Near-duplicates are grouped over a window of the ranking that grows until it yields ``n``."""
    window = 4 * n
    while True:
        head = order[:window]
        groups = cluster_near_duplicates(texts[i] for i in head)
        seen: set[int] = set()
        picks = []
        for i, g in zip(head, groups):
            if g not in seen:
                seen.add(g)
                picks.append(i)
                if len(picks) == n:
                    return picks
        if window >= len(order):
            return picks
        window *= 2


def select(candidates: Iterable[Candidate], model, n: int, *, strategy: str = "margin", seed: int = 0,
           exclude: Iterable[str] = (), batch_size: int = 1000) -> list[dict]:
    """Up to ``n`` queue items, most uncertain first, each with the model's guess,
    probabilities and evidence. Texts in ``exclude`` (e.g. already labeled; compared
    after :func:`~closing_signal.data.dedup.normalize_tokens`) are left out."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    skip = {tuple(normalize_tokens(t)) for t in exclude}
    pool = [c for c in candidates if tuple(normalize_tokens(c.text)) not in skip]
    texts = [c.text for c in pool]
    preds = list(model.predict_many(texts, batch_size=batch_size))
    scores = [uncertainty(p.probabilities, strategy) for p in preds]
    order = sorted(range(len(pool)), key=lambda i: (-scores[i], _tiebreak(seed, texts[i])))
    version = model.path.name if getattr(model, "path", None) else "closing_signal"
    items = []
    for rank, i in enumerate(_diverse(order, texts, n), 1):
        p = preds[i]
        items.append({"id": item_id(texts[i]), "text": texts[i], "source": pool[i].source, "rank": rank,
                      "guess": p.label.value, "probabilities": {k: round(v, 6) for k, v in p.probabilities.items()},
                      "evidence": [e.to_dict() for e in p.evidence], "uncertainty": scores[i],
                      "strategy": strategy, "model": version,
                      **({"context": pool[i].context} if pool[i].context else {})})
    return items
