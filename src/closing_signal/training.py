"""Training a model from labeled records and writing it with its model card."""

from __future__ import annotations

import platform
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import warnings

from .classifier import ClosingSignalClassifier
from .data.quality import check_records
from .data.records import Record, file_sha256, read_records
from .labels import LABELS
from .model import Model
from .overwrite import check_replaceable, replace_dir
from .pipeline.build import make_pipeline, share_lexicon

__all__ = ["train", "write_model", "load_files", "base_corpus_paths", "DataWarning", "DEFAULT_PARAMS"]


class DataWarning(UserWarning):
    """Something in the training data deserves a look (duplicates, conflicts, imbalance)."""


def base_corpus_paths() -> list[Path]:
    """The shipped corpus's train and dev splits (inside the package, or data/ of a checkout)."""
    from importlib import resources

    packaged = Path(str(resources.files("closing_signal").joinpath("_corpus")))
    for folder in (packaged, Path(__file__).resolve().parents[2] / "data"):
        paths = [folder / "train.jsonl", folder / "dev.jsonl"]
        if all(p.is_file() for p in paths):
            return paths
    raise FileNotFoundError("the shipped corpus is missing from this installation; reinstall the package")


def _display_path(f) -> str:
    """A path for the model card: relative to the working directory or the package when possible."""
    p = Path(f)
    for root in (Path.cwd(), Path(__file__).resolve().parent):
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return p.as_posix()

#: Settings of the shipped model, chosen on data/dev.jsonl (see data/README.md).
DEFAULT_PARAMS = {"C": 1.0, "min_df": 2, "bigrams": True}


def _versions() -> dict:
    import numpy
    import sklearn
    import spacy

    from . import __version__

    return {"closing_signal": __version__, "python": platform.python_version(), "spacy": spacy.__version__,
            "scikit-learn": sklearn.__version__, "numpy": numpy.__version__}


def train(records: Sequence[Record] | Sequence[tuple[str, str]] | Sequence[str | Path], *,
          params: dict | None = None, random_state: int = 0, data_files: Sequence[str | Path] = (),
          base: bool = False) -> Model:
    """Fit a model on ``records``: ``Record`` objects, ``(text, label)`` pairs,
    or paths of labeled files (JSONL, CSV, Prodigy JSONL). ``base=True`` adds
    the shipped corpus. Duplicates are kept once; texts with conflicting labels
    are left out; both, and class imbalance, are reported as warnings and in
    the model card.

    Deterministic: the same records, params and seed give the same weights.

    >>> m = train([("I want this job", "interest"), ("Not for me", "disinterest"),
    ...            ("What are the next steps?", "ambiguous")] * 3)
    >>> sorted(m.labels)
    ['ambiguous', 'disinterest', 'interest']
    """
    records = list(records)
    if records and all(isinstance(r, (str, Path)) for r in records):
        data_files = [*data_files, *records]
        records = load_files(records)
    if base:
        data_files = [*data_files, *base_corpus_paths()]
        records = [*records, *load_files(base_corpus_paths())]
    recs = [r if isinstance(r, Record) else Record(r[0], r[1], f"records[{i}]") for i, r in enumerate(records)]
    bad = sorted({r.label for r in recs if r.label not in LABELS})
    if bad:
        raise ValueError(f"unknown label(s) {bad}; expected {', '.join(LABELS)}")
    if not recs:
        raise ValueError("no training records")
    recs, quality = check_records(recs)
    for w in quality.warnings:
        warnings.warn(w, DataWarning, stacklevel=2)
    pairs = [(r.text, r.label) for r in recs]
    settings = {**DEFAULT_PARAMS, **(params or {})}
    clf = ClosingSignalClassifier(**settings, random_state=random_state)
    clf.fit([t for t, _ in pairs], [lab for _, lab in pairs])
    nlp = make_pipeline(None, write_spans=False)
    info = {
        "training": {
            "n_records": len(pairs),
            "label_counts": dict(sorted(Counter(lab for _, lab in pairs).items())),
            "random_state": random_state,
            "data_checks": quality.to_dict(),
            "files": [{"path": _display_path(f), "sha256": file_sha256(f)} for f in data_files],
        },
        "versions": _versions(),
    }
    meta = {"settings": {**settings, "calibration": clf.calibration, "cv": clf.cv, "class_weight": clf.class_weight,
                         "augment": clf.augment},
            **info}
    nlp.get_pipe("closing_signal").use(clf.scorer_, clf.lexicon_, meta)
    share_lexicon(nlp, clf.lexicon_)
    return Model(nlp)


def _card(meta: dict) -> str:
    t = meta.get("training", {})
    lines = ["# closing_signal model card", "",
             "Labels a candidate's interview closing as interest / ambiguous / disinterest (LABELS.md).",
             "Format: JSON + `.npy` arrays only (see `closing_signal.persistence`); loading runs no code.", "",
             "## Training data", ""]
    for f in t.get("files", []):
        lines.append(f"- `{f['path']}` sha256 `{f['sha256']}`")
    lines += [f"- records: {t.get('n_records')}  labels: {t.get('label_counts')}",
              f"- random_state: {t.get('random_state')}", "", "## Settings", "", f"```\n{meta.get('settings')}\n```", "",
              "## Versions", ""]
    lines += [f"- {k}: {v}" for k, v in meta.get("versions", {}).items()]
    for name, m in meta.get("metrics", {}).items():
        lines += ["", f"## Held-out metrics: {name}", "",
                  f"- file: `{m.get('file')}` (never used for training or tuning)",
                  f"- n = {m['n']}, macro-F1 = {m['macro_f1']}, ECE = {m['ece']}"]
        lines += [f"- {lab}: P={v['precision']} R={v['recall']} F1={v['f1']} (n={v['support']})"
                  for lab, v in m["per_label"].items()]
        for sub, s in m.get("subsets", {}).items():
            lines.append(f"- subset {sub}: n = {s['n']}, macro-F1 = {s['macro_f1']}")
        lines += ["", "confusion (rows gold, cols predicted; order " + ", ".join(LABELS) + "):", "", "```"]
        lines += [" ".join(f"{v:5d}" for v in row) for row in m["confusion"]] + ["```"]
    return "\n".join(lines) + "\n"


def write_model(model: Model, out: str | Path, *, metrics: dict | None = None, force: bool = False) -> Path:
    """Write ``model`` to ``out`` atomically (a temp dir renamed into place),
    with ``meta.json`` carrying ``metrics`` and a ``README.md`` model card.

    An existing ``out`` is replaced only if it is a closing_signal model
    directory (or empty); anything else raises
    :class:`~closing_signal.overwrite.OverwriteError` unless ``force=True``."""
    out = Path(out)
    check_replaceable(out, force=force)
    if metrics:
        model.component.meta["metrics"] = metrics
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        model.to_disk(tmp)
        (tmp / "README.md").write_text(_card(model.meta), encoding="utf-8")
        replace_dir(tmp, out, force=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    model.path = out
    return out


def load_files(paths: Sequence[str | Path]) -> list[Record]:
    out: list[Record] = []
    for p in paths:
        out.extend(read_records(p))
    return out
