"""Accuracy on real-world closings: the protocol of data/real/README.md, in one run.

    python benchmarks/real_world.py            # scores of the shipped model + learning curve (~10 min)
    python benchmarks/real_world.py --no-curve # scores only

Scores the shipped model on (a) the hand-written test split, (b) the real test
split (sites never trained or tuned on), (c) its ASR renderings, per kind of
text, with the calibration error; then a learning curve: the shipped recipe
retrained with 0/25/50/75/100% of the real training sites, each scored on the
real test split. Writes benchmarks/results/real-world-<UTC time>.json and
benchmarks/results/real-world-latest.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FRACTIONS = (0, 25, 50, 75, 100)


def _read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _scores(model, rows: list[dict], by_kind: bool = False) -> dict:
    from closing_signal.evaluation import evaluate

    rep = evaluate(model, [r["text"] for r in rows], [r["label"] for r in rows], n_errors=0)
    out = {"n": rep.n, "macro_f1": rep.macro_f1, "f1": {k: v["f1"] for k, v in rep.per_label.items()},
           "ece": rep.ece, "mean_confidence": None, "accuracy": None}
    preds = list(model.predict_many([r["text"] for r in rows]))
    out["mean_confidence"] = round(sum(max(p.probabilities.values()) for p in preds) / len(preds), 4)
    out["accuracy"] = round(sum(p.label.value == r["label"] for p, r in zip(preds, rows)) / len(rows), 4)
    if by_kind:
        groups = defaultdict(list)
        for r in rows:
            groups[r["kind"]].append(r)
        out["kinds"] = {k: {"n": len(v), "macro_f1": evaluate(model, [r["text"] for r in v],
                                                              [r["label"] for r in v], n_errors=0).macro_f1}
                        for k, v in sorted(groups.items())}
    return out


def _subset_by_site(rows: list[dict], percent: int) -> list[dict]:
    """The records of the first ``percent``% of sites in a fixed hashed order (nested: 25% ⊂ 50% ⊂ …)."""
    sites = sorted({r["site"] for r in rows}, key=lambda s: hashlib.sha1(s.encode()).hexdigest())
    keep = set(sites[: round(len(sites) * percent / 100)])
    return [r for r in rows if r["site"] in keep]


def learning_curve(test_rows: list[dict]) -> list[dict]:
    import closing_signal
    from closing_signal.data.records import Record
    from closing_signal.training import SHIPPED_RECIPE, load_files

    recipe = SHIPPED_RECIPE
    hand = load_files([ROOT / p for p, _ in recipe["data"] if not p.startswith("data/real/")],
                      weights=[w for p, w in recipe["data"] if not p.startswith("data/real/")])
    real_path, real_w = next((p, w) for p, w in recipe["data"] if p.startswith("data/real/"))
    real = _read(ROOT / real_path)
    calib = load_files([ROOT / p for p in recipe["calibrate_on"]])
    curve = []
    for pct in FRACTIONS:
        sub = _subset_by_site(real, pct)
        recs = hand + [Record(r["text"], r["label"], f"real:{i}", style=r["style"], weight=real_w)
                       for i, r in enumerate(sub)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = closing_signal.train(recs, params=recipe.get("params"), calibrate_on=calib)
        s = _scores(model, test_rows)
        curve.append({"percent": pct, "real_records": len(sub), "real_sites": len({r["site"] for r in sub}),
                      "macro_f1": s["macro_f1"], "ece": s["ece"]})
        print(f"  {pct:3d}% of real train ({len(sub)} records): real-test macro-F1 {s['macro_f1']:.4f}", flush=True)
    return curve


def _markdown(rec: dict) -> str:
    m = rec["model"]
    lines = [f"Real-world accuracy of the shipped model ({rec['when']}, `python benchmarks/real_world.py`).", "",
             "| test set | n | macro-F1 | F1 interest | F1 ambiguous | F1 disinterest | ECE | mean confidence | accuracy |",
             "|---|---|---|---|---|---|---|---|---|"]
    for key, name in (("hand_test", "(a) hand-written test"), ("real_test", "(b) real test (held-out sites)"),
                      ("real_test_asr", "(c) real test, ASR renderings")):
        s = m[key]
        lines.append(f"| {name} | {s['n']} | {s['macro_f1']:.4f} | {s['f1']['interest']:.4f} | "
                     f"{s['f1']['ambiguous']:.4f} | {s['f1']['disinterest']:.4f} | {s['ece']:.4f} | "
                     f"{s['mean_confidence']:.4f} | {s['accuracy']:.4f} |")
    lines += ["", "Real test by kind of text:", "", "| kind | n | macro-F1 |", "|---|---|---|"]
    lines += [f"| {k} | {v['n']} | {v['macro_f1']:.4f} |" for k, v in m["real_test"]["kinds"].items()]
    if rec.get("learning_curve"):
        lines += ["", "Learning curve (the shipped recipe with a share of the real training sites; real test):", "",
                  "| real training data | records | sites | real-test macro-F1 | ECE |", "|---|---|---|---|---|"]
        lines += [f"| {c['percent']}% | {c['real_records']} | {c['real_sites']} | {c['macro_f1']:.4f} | {c['ece']:.4f} |"
                  for c in rec["learning_curve"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-curve", action="store_true", help="skip the learning curve")
    args = ap.parse_args(argv)
    import closing_signal

    model = closing_signal.load()
    when = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())
    real_test = _read(ROOT / "data" / "real" / "test.jsonl")
    rec = {"when": when, "python": platform.python_version(), "closing_signal": closing_signal.__version__,
           "model": {"hand_test": _scores(model, _read(ROOT / "data" / "test.jsonl")),
                     "real_test": _scores(model, real_test, by_kind=True),
                     "real_test_asr": _scores(model, _read(ROOT / "data" / "real" / "test_asr.jsonl"))}}
    print(json.dumps(rec["model"], indent=1))
    if not args.no_curve:
        rec["learning_curve"] = learning_curve(real_test)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    (RESULTS / f"real-world-{stamp}.json").write_text(json.dumps(rec, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "real-world-latest.md").write_text(_markdown(rec), encoding="utf-8")
    print(_markdown(rec))


if __name__ == "__main__":
    main()
