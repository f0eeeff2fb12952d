"""The three labels, as a str-valued enum."""

from __future__ import annotations

from enum import Enum

__all__ = ["Label", "LABELS"]


class Label(str, Enum):
    """A closing's stance toward this role (see LABELS.md).

    >>> Label("interest") == "interest"
    True
    """

    INTEREST = "interest"
    AMBIGUOUS = "ambiguous"
    DISINTEREST = "disinterest"

    def __str__(self) -> str:
        return self.value


LABELS: tuple[str, ...] = tuple(label.value for label in Label)
