"""Evaluation: per-label and macro F1, confusion matrix, calibration, worst errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from .calibration import expected_calibration_error
from .labels import LABELS

__all__ = ["Report", "evaluate"]


@dataclass
class Report:
    """Scores of a model on labeled texts. ``str(report)`` prints a readable summary."""

    n: int
    macro_f1: float
    per_label: dict[str, dict[str, float]]
    confusion: list[list[int]]           # rows: gold, columns: predicted, in LABELS order
    ece: float
    reliability: list[dict]
    errors: list[dict] = field(default_factory=list)
    subsets: dict[str, dict] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"n": self.n, "macro_f1": self.macro_f1, "per_label": self.per_label, "labels": list(LABELS),
                "confusion": self.confusion, "ece": self.ece, "reliability": self.reliability,
                "subsets": self.subsets, "errors": self.errors}

    def __str__(self) -> str:
        lines = [f"n = {self.n}   macro-F1 = {self.macro_f1:.4f}   ECE = {self.ece:.4f}", "",
                 f"{'label':12s} {'precision':>9s} {'recall':>7s} {'f1':>7s} {'support':>8s}"]
        for lab in LABELS:
            m = self.per_label[lab]
            lines.append(f"{lab:12s} {m['precision']:9.4f} {m['recall']:7.4f} {m['f1']:7.4f} {m['support']:8d}")
        lines += ["", "confusion (rows = gold, columns = predicted)",
                  " " * 13 + " ".join(f"{lab[:11]:>11s}" for lab in LABELS)]
        for lab, row in zip(LABELS, self.confusion):
            lines.append(f"{lab:12s} " + " ".join(f"{v:11d}" for v in row))
        for name, sub in self.subsets.items():
            lines.append(f"\nsubset {name}: n = {sub['n']}   macro-F1 = {sub['macro_f1']:.4f}")
        if self.reliability:
            lines += ["", "reliability (top-label confidence vs accuracy)"]
            lines += [f"  {r['bin']}  n={r['n']:5d}  confidence={r['confidence']:.3f}  accuracy={r['accuracy']:.3f}"
                      for r in self.reliability]
        if self.errors:
            lines += ["", f"worst errors ({len(self.errors)})"]
            for e in self.errors:
                ev = ", ".join(f"{x['text']!r}" + (f"[{x['cue']}]" if x['cue'] else "") for x in e["evidence"][:4])
                lines.append(f"  gold={e['gold']:11s} pred={e['predicted']:11s} p={e['confidence']:.2f}  {e['text']!r}")
                if ev:
                    lines.append(f"      evidence: {ev}")
        return "\n".join(lines)


def _macro(gold: Sequence[str], pred: Sequence[str]) -> float:
    return round(float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0)), 4)


def evaluate(model, texts: Sequence[str], gold: Sequence[str], *, groups: dict[str, Sequence[bool]] | None = None,
             n_errors: int = 10, batch_size: int = 1000) -> Report:
    """Score ``model`` (a :class:`closing_signal.Model`) on ``texts`` with ``gold`` labels.

    ``groups`` maps a subset name to a mask (e.g. ``{"asr": [...], "clean": [...]}``).
    """
    preds = list(model.predict_many(texts, batch_size=batch_size))
    pred = [p.label.value for p in preds]
    proba = np.array([[p.probabilities[lab] for lab in LABELS] for p in preds])
    y = np.array([LABELS.index(g) for g in gold])
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=list(LABELS), zero_division=0)
    per_label = {lab: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4),
                       "support": int(s[i])} for i, lab in enumerate(LABELS)}
    ece, table = expected_calibration_error(proba, y)
    wrong = [i for i in range(len(gold)) if pred[i] != gold[i]]
    wrong.sort(key=lambda i: -proba[i].max())
    errors = [{"text": texts[i], "gold": gold[i], "predicted": pred[i], "confidence": round(float(proba[i].max()), 4),
               "evidence": [e.to_dict() for e in preds[i].evidence]} for i in wrong[:n_errors]]
    subsets = {}
    for name, mask in (groups or {}).items():
        idx = [i for i, m in enumerate(mask) if m]
        if idx:
            subsets[name] = {"n": len(idx), "macro_f1": _macro([gold[i] for i in idx], [pred[i] for i in idx])}
    cm = confusion_matrix(gold, pred, labels=list(LABELS)).tolist()
    return Report(len(gold), _macro(gold, pred), per_label, cm, ece, table, errors, subsets)
