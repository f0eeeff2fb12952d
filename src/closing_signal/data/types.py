"""The labeled record and the error for unusable data: the types every reader of labeled files builds.

>>> Record("I want this job", "interest", "my.jsonl:1").weight
1.0
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Record", "DataError"]


@dataclass(frozen=True, slots=True)
class Record:
    text: str
    label: str
    source: str  # "file:line"
    phenomenon: str | None = None
    style: str | None = None
    weight: float = 1.0  # how much the record counts in training (see ``train(weights=...)``)


class DataError(ValueError):
    """Labeled data that cannot be used; the message names every bad line (up to 20) and the count."""
