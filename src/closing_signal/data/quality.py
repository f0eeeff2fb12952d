"""Checks on labeled training data: duplicates, conflicting duplicates, class imbalance."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..labels import LABELS
from .dedup import normalize_tokens
from .records import Record

__all__ = ["DataReport", "check_records"]


@dataclass
class DataReport:
    n: int
    label_counts: dict[str, int]
    duplicates: int                                   # records whose normalized text appeared before, same label
    conflicts: list[list[str]] = field(default_factory=list)   # sources of texts labelled differently
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"n": self.n, "label_counts": self.label_counts, "duplicates": self.duplicates,
                "conflicts": len(self.conflicts), "warnings": self.warnings}


def check_records(records: Sequence[Record]) -> tuple[list[Record], DataReport]:
    """Records to train on, and what was found.

    Exact duplicates (same text after lower-casing and dropping punctuation
    and fillers) with the same label are kept once; texts given *different*
    labels are conflicts, reported with their sources and left out. A label
    with under 5% of the data, or under 20 records, is warned about.
    """
    groups: dict[tuple[str, ...], list[Record]] = defaultdict(list)
    for r in records:
        groups[tuple(normalize_tokens(r.text)) or (r.text,)].append(r)
    kept: list[Record] = []
    duplicates = 0
    conflicts: list[list[str]] = []
    for recs in groups.values():
        labels = {r.label for r in recs}
        if len(labels) > 1:
            conflicts.append([f"{r.source} ({r.label})" for r in recs])
            continue
        kept.append(recs[0] if len(recs) == 1 else replace(recs[0], weight=max(r.weight for r in recs)))
        duplicates += len(recs) - 1
    counts = Counter(r.label for r in kept)
    report = DataReport(len(kept), {lab: counts.get(lab, 0) for lab in LABELS}, duplicates, conflicts)
    if duplicates:
        report.warnings.append(f"{duplicates} duplicate record(s) kept once")
    for c in conflicts[:10]:
        report.warnings.append("conflicting labels for one text, left out: " + "; ".join(c))
    if len(conflicts) > 10:
        report.warnings.append(f"... and {len(conflicts) - 10} more conflicting texts")
    total = max(1, len(kept))
    for lab in LABELS:
        n = counts.get(lab, 0)
        if n < 20 or n / total < 0.05:
            report.warnings.append(f"class imbalance: only {n} '{lab}' record(s) of {total}; "
                                   "predictions of that label will be unreliable")
    return kept, report
