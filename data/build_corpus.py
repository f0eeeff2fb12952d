"""Build data/{train,dev,test}.jsonl from the hand-written sources in data/source/.

    python data/build_corpus.py [OUT_DIR]      (default: data/)

Deterministic: the same sources always give byte-identical output.

1. Read every ``data/source/<label>_*.txt`` line ``phenomenon | text``.
2. Turn a fixed ~24% share of the clean lines into ASR-style text (lower case,
   no punctuation, fillers, stutters, a mis-heard word now and then). Which
   lines, and how, is decided by a hash of the text, not by a global seed.
   Lines from ``*_asr.txt`` files were written in that style by hand.
3. Cluster near-duplicates (closing_signal.data.dedup) so a sentence and its
   variants always land in the same split.
4. Assign each cluster to a split by a hash of its first member's normalized
   text: 15% test, 15% dev, 70% train. The test split is only read by the
   final evaluation; nothing is tuned on it.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))
from closing_signal.data.asr import to_asr  # noqa: E402
from closing_signal.data.dedup import cluster_near_duplicates, normalize_tokens  # noqa: E402

LABELS = ("interest", "ambiguous", "disinterest")
ASR_SHARE = 24  # percent of clean lines converted

def _h(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)


def read_sources() -> list[dict]:
    rows = []
    for path in sorted((ROOT / "source").glob("*.txt")):
        label = path.stem.split("_")[0]
        if label not in LABELS:
            raise SystemExit(f"{path}: file name must start with a label")
        native_asr = path.stem.endswith("_asr")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            if " | " not in line:
                raise SystemExit(f"{path}:{n}: expected 'phenomenon | text'")
            phen, text = (s.strip() for s in line.split(" | ", 1))
            rows.append({"text": text, "label": label, "phenomenon": phen,
                         "style": "asr" if native_asr else "clean",
                         "source": f"{path.name}:{n}"})
    return rows


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    out_dir = Path(argv[0]) if argv else ROOT
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = read_sources()
    seen: set[str] = set()
    unique = []
    for r in rows:  # drop exact repeats (same text and label) written twice
        key = r["label"] + "\t" + r["text"]
        if key not in seen:
            seen.add(key)
            unique.append(r)
    rows = unique
    for r in rows:
        if r["style"] == "clean" and _h("share:" + r["text"]) % 100 < ASR_SHARE:
            r["text"] = to_asr(r["text"])
            r["style"] = "asr"
    clusters = cluster_near_duplicates(r["text"] for r in rows)
    first: dict[int, str] = {}
    for r, c in zip(rows, clusters):
        first.setdefault(c, " ".join(normalize_tokens(r["text"])))
    splits: dict[str, list[dict]] = {"train": [], "dev": [], "test": []}
    for i, (r, c) in enumerate(zip(rows, clusters)):
        b = _h("split:" + first[c]) % 100
        split = "test" if b < 15 else "dev" if b < 30 else "train"
        r["group"] = f"g{_h(first[c]) % 10**10:010d}"
        splits[split].append(r)
    for name, items in splits.items():
        with open(out_dir / f"{name}.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for r in items:
                f.write(json.dumps({k: r[k] for k in ("text", "label", "phenomenon", "style", "group", "source")},
                                   ensure_ascii=False) + "\n")
    # report
    n_clusters = Counter()
    for lab in LABELS:
        n_clusters[lab] = len({c for r, c in zip(rows, clusters) if r["label"] == lab})
    print(f"records: {len(rows)}  near-duplicate groups: {len(set(clusters))}")
    for lab in LABELS:
        n = sum(r["label"] == lab for r in rows)
        print(f"  {lab:12s} records {n:5d}  distinct groups {n_clusters[lab]:5d}")
    asr = sum(r["style"] == "asr" for r in rows)
    print(f"  asr-style share: {asr / len(rows):.1%}")
    for name, items in splits.items():
        c = Counter(r["label"] for r in items)
        print(f"  {name:5s} {len(items):5d} " + " ".join(f"{k}={c[k]}" for k in LABELS))


if __name__ == "__main__":
    main()
