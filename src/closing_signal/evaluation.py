"""Evaluation: per-label and macro F1, confusion matrix, calibration, worst errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from .calibration import expected_calibration_error
from .labels import LABELS

__all__ = ["Report", "evaluate", "TranscriptReport", "evaluate_transcripts", "read_transcript_gold",
           "is_transcript_gold", "cross_validate", "write_report"]


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


def _report(gold: Sequence[str], pred: Sequence[str], proba: np.ndarray, errors: list[dict],
            groups: dict[str, Sequence[bool]] | None = None) -> Report:
    y = np.array([LABELS.index(g) for g in gold])
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=list(LABELS), zero_division=0)
    per_label = {lab: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4),
                       "support": int(s[i])} for i, lab in enumerate(LABELS)}
    ece, table = expected_calibration_error(proba, y) if len(y) else (0.0, [])
    subsets = {}
    for name, mask in (groups or {}).items():
        idx = [i for i, m in enumerate(mask) if m]
        if idx:
            subsets[name] = {"n": len(idx), "macro_f1": _macro([gold[i] for i in idx], [pred[i] for i in idx])}
    cm = confusion_matrix(gold, pred, labels=list(LABELS)).tolist() if len(gold) else [[0] * 3 for _ in LABELS]
    return Report(len(gold), _macro(gold, pred) if len(gold) else 0.0, per_label, cm, ece, table, errors, subsets)


def _worst(gold: Sequence[str], pred: Sequence[str], proba: np.ndarray, n: int) -> list[int]:
    """The most confident wrong predictions first."""
    wrong = [i for i in range(len(gold)) if pred[i] != gold[i]]
    wrong.sort(key=lambda i: -proba[i].max())
    return wrong[:n]


def evaluate(model, texts: Sequence[str], gold: Sequence[str], *, groups: dict[str, Sequence[bool]] | None = None,
             n_errors: int = 10, batch_size: int = 1000) -> Report:
    """Score ``model`` (a :class:`closing_signal.Model`) on ``texts`` with ``gold`` labels.

    ``groups`` maps a subset name to a mask (e.g. ``{"asr": [...], "clean": [...]}``).
    """
    preds = list(model.predict_many(texts, batch_size=batch_size))
    pred = [p.label.value for p in preds]
    proba = np.array([[p.probabilities[lab] for lab in LABELS] for p in preds]).reshape(-1, len(LABELS))
    errors = [{"text": texts[i], "gold": gold[i], "predicted": pred[i], "confidence": round(float(proba[i].max()), 4),
               "evidence": [e.to_dict() for e in preds[i].evidence]} for i in _worst(gold, pred, proba, n_errors)]
    return _report(gold, pred, proba, errors, groups)


@dataclass
class TranscriptReport:
    """Scores of a model on labeled transcripts: the label, the candidate, the closing."""

    labels: Report                    # label scores over the files that could be scored
    n_files: int
    failed: list[dict]                # {"file", "error"} of files that could not be scored
    candidate_accuracy: float | None  # over gold lines that name the candidate
    n_candidate: int
    closing_start_agreement: float | None  # over gold lines that give the closing's first turn
    n_closing_start: int

    def to_dict(self) -> dict:
        return {"n_files": self.n_files, "failed": self.failed, "candidate_accuracy": self.candidate_accuracy,
                "n_candidate": self.n_candidate, "closing_start_agreement": self.closing_start_agreement,
                "n_closing_start": self.n_closing_start, "labels": self.labels.to_dict()}

    def __str__(self) -> str:
        def share(x, n):
            return "n/a (no gold line gives it)" if x is None else f"{x:.4f} ({n} files)"
        lines = [f"{self.n_files} transcript(s), {len(self.failed)} could not be scored",
                 f"candidate accuracy: {share(self.candidate_accuracy, self.n_candidate)}",
                 f"closing start agreement: {share(self.closing_start_agreement, self.n_closing_start)}", "",
                 "transcript labels:", str(self.labels)]
        lines += [f"  failed: {f['file']}: {f['error']}" for f in self.failed]
        return "\n".join(lines)


def read_transcript_gold(path) -> list[dict]:
    """The lines of a transcript gold file: JSONL of ``{"file", "label"}`` with optional
    ``candidate`` and ``closing_start``; ``file`` is relative to the gold file's folder."""
    import json
    from pathlib import Path

    from .data.records import DataError

    path = Path(path)
    out, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").split("\n"), 1):
        if not line.strip():
            continue
        try:
            g = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as e:
            problems.append(f"{path}:{n}: invalid JSON ({e})")
            continue
        if not isinstance(g, dict) or not isinstance(g.get("file"), str) or g.get("label") not in LABELS:
            problems.append(f"{path}:{n}: expected {{\"file\": ..., \"label\": one of {', '.join(LABELS)}}}")
            continue
        out.append({**g, "path": str(path.parent / g["file"]), "where": f"{path}:{n}"})
    if problems:
        raise DataError(f"{len(problems)} bad line(s) in {path}:\n  " + "\n  ".join(problems[:20]))
    if not out:
        raise DataError(f"{path}: no gold lines")
    return out


def is_transcript_gold(path) -> bool:
    """Whether a JSONL file's first line names a transcript ``file`` (not a ``text``)."""
    import json
    from pathlib import Path

    try:
        with Path(path).open(encoding="utf-8-sig") as f:
            first = next((x for x in f if x.strip()), "")
        g = json.loads(first)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(g, dict) and "file" in g and "text" not in g


def evaluate_transcripts(gold, *, model=None, n_jobs: int = 1, n_errors: int = 10) -> TranscriptReport:
    """Score the transcripts a gold file lists (see :func:`read_transcript_gold`)
    and compare label, candidate and closing start with the gold."""
    from .model import load
    from .transcripts import score_transcripts

    lines = read_transcript_gold(gold)
    model = model if model is not None else load()
    results = list(score_transcripts([g["path"] for g in lines], n_jobs=n_jobs, model=model))
    ok = [(g, r) for g, r in zip(lines, results) if not r.error]
    failed = [{"file": g["file"], "error": r.error} for g, r in zip(lines, results) if r.error]
    gold_l = [g["label"] for g, _ in ok]
    pred = [r.label.value for _, r in ok]
    proba = np.array([[r.probabilities[lab] for lab in LABELS] for _, r in ok]).reshape(-1, len(LABELS))
    errors = [{"text": ok[i][0]["file"], "gold": gold_l[i], "predicted": pred[i],
               "confidence": round(float(proba[i].max()), 4), "evidence": []}
              for i in _worst(gold_l, pred, proba, n_errors)]
    cand = [(g["candidate"], r.candidate) for g, r in ok if g.get("candidate") is not None]
    start = [(g["closing_start"], r.closing_start) for g, r in ok if g.get("closing_start") is not None]
    return TranscriptReport(
        _report(gold_l, pred, proba, errors), len(lines), failed,
        round(sum(a == b for a, b in cand) / len(cand), 4) if cand else None, len(cand),
        round(sum(a == b for a, b in start) / len(start), 4) if start else None, len(start))


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
    """Base64 PNGs of the confusion matrix and the reliability diagram, drawn by
    scikit-learn's display classes (matplotlib is imported here only)."""
    import base64
    import io

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'closing-signal[report]'") from None
    from sklearn.calibration import CalibrationDisplay
    from sklearn.metrics import ConfusionMatrixDisplay

    def png(fig) -> str:
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        return base64.b64encode(buf.getvalue()).decode()

    out = {}
    fig, ax = plt.subplots(figsize=(4.6, 3.9), dpi=110)
    ConfusionMatrixDisplay(np.array(report.confusion), display_labels=list(LABELS)).plot(
        ax=ax, cmap="Blues", colorbar=False, xticks_rotation=20)
    ax.set_title("confusion matrix (rows: gold)")
    out["confusion"] = png(fig)
    fig, ax = plt.subplots(figsize=(4.6, 3.9), dpi=110)
    conf = np.array([r["confidence"] for r in report.reliability])
    acc = np.array([r["accuracy"] for r in report.reliability])
    # the top label's confidence against how often the top label is right, one point per bin
    CalibrationDisplay(acc, conf, conf, estimator_name="top label").plot(ax=ax)
    for c, a, r in zip(conf, acc, report.reliability):
        ax.annotate(str(r["n"]), (c, a), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlabel("confidence (top label)")
    ax.set_ylabel("accuracy")
    ax.set_title(f"reliability (ECE {report.ece:.3f})")
    out["reliability"] = png(fig)
    return out


def _marked(text: str, evidence: list[dict]) -> str:
    """``text`` as HTML with each evidence span in a ``<mark>`` (cue spans named in its title)."""
    import html

    spans = sorted((e["start"], e["end"], e) for e in evidence if 0 <= e["start"] < e["end"] <= len(text))
    parts, at = [], 0
    for start, end, e in spans:
        if start < at:
            continue  # overlapping span: the first one is shown
        title = f"{e['cue'] or 'word'} {e['weight']:+.2f}"
        parts += [html.escape(text[at:start]),
                  f'<mark class="{"cue" if e["cue"] else "word"}" title="{html.escape(title)}">'
                  f"{html.escape(text[start:end])}</mark>"]
        at = end
    parts.append(html.escape(text[at:]))
    return "".join(parts)


_STYLE = """body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.35em .6em;
vertical-align:top;text-align:left}th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
mark.cue{background:#ffe08a}mark.word{background:#e4ecff}.figs img{margin-right:1em;border:1px solid #ddd}
.gold{color:#1a7f37}.pred{color:#b42318}pre{background:#f7f7f7;padding:1em;overflow:auto}"""


def _html(report: Report, figs: dict[str, str], title: str, model: str) -> str:
    import html

    rows = "".join(f"<tr><td>{lab}</td><td class=n>{m['precision']:.3f}</td><td class=n>{m['recall']:.3f}</td>"
                   f"<td class=n>{m['f1']:.3f}</td><td class=n>{m['support']}</td></tr>"
                   for lab, m in report.per_label.items())
    subsets = "".join(f"<tr><td>{html.escape(k)}</td><td class=n>{v['n']}</td><td class=n>{v['macro_f1']:.3f}</td></tr>"
                      for k, v in report.subsets.items())
    errors = "".join(f"<tr><td class=n>{i}</td><td class=gold>{e['gold']}</td><td class=pred>{e['predicted']}</td>"
                     f"<td class=n>{e['confidence']:.2f}</td><td>{_marked(e['text'], e['evidence'])}</td></tr>"
                     for i, e in enumerate(report.errors, 1))
    imgs = "".join(f'<img alt="{n}" src="data:image/png;base64,{b}">' for n, b in figs.items())
    return (f"<!doctype html><html lang=en><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p>model: <code>{html.escape(model)}</code> · n = {report.n} · macro-F1 = <b>{report.macro_f1:.4f}</b>"
            f" · ECE = {report.ece:.4f}</p>"
            f"<table><tr><th>label</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{rows}</table>"
            + (f"<table><tr><th>subset</th><th>n</th><th>macro-F1</th></tr>{subsets}</table>" if subsets else "")
            + f"<div class=figs>{imgs}</div>"
            + (f"<h2>Worst errors</h2><p>The most confident wrong predictions; the words that weighed in the "
               f"decision are marked (<mark class=cue>cue phrases</mark>, <mark class=word>words</mark>; hover "
               f"for the cue and its weight).</p><table><tr><th>#</th><th>gold</th><th>predicted</th>"
               f"<th>confidence</th><th>text</th></tr>{errors}</table>" if errors else "")
            + "</body></html>\n")


def write_report(report: Report, path, *, title: str = "closing_signal evaluation", model: str = "") -> "Path":
    """Write ``report`` as HTML (``.html``: scores, plots, the worst errors with their evidence
    marked) or Markdown (``.md``, images next to it)."""
    import base64
    from pathlib import Path

    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm", ".md"):
        raise ValueError(f"{path}: a report is written as .html or .md")
    figs = _figures(report)
    if path.suffix.lower() == ".md":
        for name, b64 in figs.items():
            (path.parent / f"{path.stem}-{name}.png").write_bytes(base64.b64decode(b64))
        body = (f"# {title}\n\nmodel: `{model}`\n\n![confusion matrix]({path.stem}-confusion.png) "
                f"![reliability]({path.stem}-reliability.png)\n\n```\n{report}\n```\n")
    else:
        body = _html(report, figs, title, model)
    path.write_text(body, encoding="utf-8")
    return path
