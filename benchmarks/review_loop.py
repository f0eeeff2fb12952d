"""Does the review loop pay? A simulated loop: uncertainty-sampled labels against random ones.

    python benchmarks/review_loop.py            # 3 rounds of 100 on data/train.jsonl, 5 seeds (~1 min on 2 cores)
    python benchmarks/review_loop.py --quick    # a small pool, for the tests

data/train.jsonl stands in for your unlabeled closings (its labels are
revealed only for the items a strategy picks); data/dev.jsonl and
data/real/dev.jsonl are held out. Each run starts from the same 100 random
labels, then three rounds each add 100: picked by ``closing-signal review``'s
selection (margin of the calibrated probabilities, near-duplicates passed
over) from the current model, or at random (``--strategy random``). After
each round a model is trained from scratch on the labels so far (the
library's ``train``) and scored on both held-out sets. Writes
benchmarks/results/review-loop-<UTC time>.json and review-loop-latest.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def curve(pool, held: dict, strategy: str, seed: int, start: int, step: int, rounds: int) -> list[dict]:
    """Held-out macro-F1 after the start set and after each round of ``strategy``."""
    from closing_signal.evaluation import evaluate
    from closing_signal.review.candidates import Candidate
    from closing_signal.review.sampling import select
    from closing_signal.training import DataWarning, train

    gold = {r.text: r for r in pool}
    cands = [Candidate(r.text, r.source) for r in pool]
    labeled: list = []
    model = None
    points = []
    for rnd in range(rounds + 1):
        if rnd == 0:  # the same random start for both strategies
            picks = select(cands, _Flat(), start, strategy="random", seed=seed)
        else:
            picks = select(cands, model, step, strategy=strategy, seed=seed + rnd,
                           exclude=[r.text for r in labeled])
        labeled += [gold[q["text"]] for q in picks]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            model = train(labeled, random_state=0)
        scores = {name: evaluate(model, [r.text for r in recs], [r.label for r in recs], n_errors=0).macro_f1
                  for name, recs in held.items()}
        points.append({"round": rnd, "n_labels": len(labeled), **scores})
    return points


class _Flat:
    """Scores every text alike, so that ``select(strategy="random")`` needs no trained model."""

    path = None

    def predict_many(self, texts, batch_size=1000):
        from closing_signal.labels import Label
        from closing_signal.prediction import Prediction

        return [Prediction(Label.AMBIGUOUS, {"interest": 1 / 3, "ambiguous": 1 / 3, "disinterest": 1 / 3})
                for _ in texts]


def _table(result: dict) -> str:
    held = result["held_out"]
    lines = [f"Run {result['time']} ({result['seconds']} s); pool {result['pool']} ({result['n_pool']} closings); "
             f"start {result['start']} random labels, then {result['rounds']} rounds of {result['step']}; "
             f"seeds {result['seeds']}; mean macro-F1 over the seeds.", "",
             "| labels | " + " | ".join(f"{s} on {h}" for h in held for s in ("uncertainty", "random")) + " |",
             "|---:|" + "---:|" * (2 * len(held))]
    mean = result["mean"]
    for i, n in enumerate(mean["margin"]["n_labels"]):
        cells = [f"{mean[s][h][i]:.4f}" for h in held for s in ("margin", "random")]
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    gain = {h: round(mean["margin"][h][-1] - mean["random"][h][-1], 4) for h in held}
    wins = {h: sum(a[-1][h] > b[-1][h] for a, b in zip(result["runs"]["margin"], result["runs"]["random"]))
            for h in held}
    lines += ["", "After the last round, uncertainty minus random: " + ", ".join(
        f"{h} {gain[h]:+.4f} (uncertainty ahead in {wins[h]} of {len(result['seeds'])} seeds)" for h in held)]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="600-closing pool, rounds of 40, one seed")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    args = ap.parse_args(argv)
    from closing_signal.data.records import read_records

    pool = read_records(ROOT / "data" / "train.jsonl")
    held = {name: read_records(ROOT / name) for name in ("data/dev.jsonl", "data/real/dev.jsonl")
            if (ROOT / name).is_file()}
    start, step, rounds, seeds = 100, 100, 3, args.seeds
    if args.quick:
        pool, start, step, seeds = pool[::3], 40, 40, seeds[:1]
    t0 = time.time()
    runs = {s: [curve(pool, held, s, seed, start, step, rounds) for seed in seeds] for s in ("margin", "random")}
    mean = {s: {"n_labels": [p["n_labels"] for p in runs[s][0]],
                **{h: [round(statistics.mean(r[i][h] for r in runs[s]), 4) for i in range(rounds + 1)]
                   for h in held}} for s in runs}
    result = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seconds": round(time.time() - t0),
              "python": platform.python_version(), "pool": "data/train.jsonl" + (" (every 3rd)" if args.quick else ""),
              "n_pool": len(pool), "held_out": list(held), "start": start, "step": step, "rounds": rounds,
              "seeds": seeds, "quick": args.quick, "runs": runs, "mean": mean}
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + ("-quick" if args.quick else "")
    (args.out / f"review-loop-{stamp}.json").write_text(json.dumps(result, indent=1) + "\n")
    table = _table(result)
    (args.out / f"review-loop-latest{'-quick' if args.quick else ''}.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
