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


def cross_validate(records, *, k: int = 5, random_state: int = 0, params: dict | None = None) -> dict:
    """k-fold cross-validation: train on k-1 folds, score the held-out fold.

    Folds are stratified by label and keep near-duplicate texts together.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    import warnings

    from .data.dedup import cluster_near_duplicates
    from .training import train

    if k < 2:
        raise ValueError("k must be at least 2")
    records = list(records)
    groups = cluster_near_duplicates(r.text for r in records)
    labels = [r.label for r in records]
    folds = []
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=random_state)
    for i, (tr, te) in enumerate(splitter.split(records, labels, groups)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = train([records[j] for j in tr], params=params, random_state=random_state)
        rep = evaluate(model, [records[j].text for j in te], [labels[j] for j in te], n_errors=0)
        folds.append({"fold": i, "n": len(te), "macro_f1": rep.macro_f1, "ece": rep.ece,
                      "per_label_f1": {lab: v["f1"] for lab, v in rep.per_label.items()}})
    scores = np.array([f["macro_f1"] for f in folds])
    return {"k": k, "n": len(records), "folds": folds, "macro_f1_mean": round(float(scores.mean()), 4),
            "macro_f1_std": round(float(scores.std()), 4)}


def _figures(report: Report) -> dict[str, str]:
    """Base64 PNGs of the confusion matrix and the reliability diagram (matplotlib, imported here only)."""
    import base64
    import io

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'closing-signal[report]'") from None
    out = {}
    fig, ax = plt.subplots(figsize=(4.2, 3.6), dpi=110)
    cm = np.array(report.confusion)
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(3), LABELS, rotation=20)
    ax.set_yticks(range(3), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for i in range(3):
        for j in range(3):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set_title("confusion matrix")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    out["confusion"] = base64.b64encode(buf.getvalue()).decode()
    fig, ax = plt.subplots(figsize=(4.2, 3.6), dpi=110)
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    conf = [r["confidence"] for r in report.reliability]
    acc = [r["accuracy"] for r in report.reliability]
    ax.plot(conf, acc, "o-", label="this model")
    for c, a, r in zip(conf, acc, report.reliability):
        ax.annotate(str(r["n"]), (c, a), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlabel("confidence (top label)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(f"reliability (ECE {report.ece:.3f})")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    out["reliability"] = base64.b64encode(buf.getvalue()).decode()
    return out


def write_report(report: Report, path, *, title: str = "closing_signal evaluation", model: str = "") -> "Path":
    """Write ``report`` as HTML (``.html``) or Markdown (``.md``, images next to it), with plots."""
    import base64
    import html
    from pathlib import Path

    path = Path(path)
    figs = _figures(report)
    text = str(report)
    if path.suffix.lower() == ".md":
        for name, b64 in figs.items():
            (path.parent / f"{path.stem}-{name}.png").write_bytes(base64.b64decode(b64))
        body = (f"# {title}\n\nmodel: `{model}`\n\n![confusion matrix]({path.stem}-confusion.png) "
                f"![reliability]({path.stem}-reliability.png)\n\n```\n{text}\n```\n")
    else:
        imgs = "".join(f'<img alt="{n}" src="data:image/png;base64,{b}">' for n, b in figs.items())
        body = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
                f"<body><h1>{html.escape(title)}</h1><p>model: <code>{html.escape(model)}</code></p>{imgs}"
                f"<pre>{html.escape(text)}</pre></body></html>\n")
    path.write_text(body, encoding="utf-8")
    return path
