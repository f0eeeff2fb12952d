"""Build data/real/{train,dev,test}.jsonl (+ ASR renderings) from data/real/source/*.jsonl.

    python data/build_real.py [OUT_DIR]      (default: data/real/)

Every source record is our paraphrase of a closing found on a public page (its
URL is ``source``), labelled by LABELS.md and relabelled blind by a second
reader; ``label`` is the resolved label (see data/real/README.md).
Deterministic: the same sources always give byte-identical output.

1. Check every record (fields, label, kind, URL) and refuse a source that the
   reserved list covers (``data/real/RESERVED_SOURCES.txt``, a snapshot of
   the list of sites kept for independent evaluation).
2. Keep at most 4 records of one page and 10 of one site (the first ones, in
   file order).
3. Split **by site**: a hash of the site puts all of a site's records in one
   split — 22% test, 13% dev, 65% train. Nothing is tuned on test.
4. ASR renderings (closing_signal.data.asr): in train, a hashed 30% of the
   spoken and transcript records get a rendering *beside* the clean record;
   dev and test get a rendering of every record in ``dev_asr.jsonl`` and
   ``test_asr.jsonl``, to measure transcribed speech apart.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))
from closing_signal.data.asr import to_asr  # noqa: E402
from closing_signal.data.sources import ReservedSources, site_of  # noqa: E402

LABELS = ("interest", "ambiguous", "disinterest")
KINDS = ("spoken", "email", "message", "forum", "reported", "transcript", "story")
FIELDS = ("id", "text", "label", "kind", "style", "site", "source", "rule")
MAX_PER_PAGE, MAX_PER_SITE = 4, 10
TEST, DEV = 22, 13  # percent of sites
ASR_SHARE = 30  # percent of spoken/transcript train records rendered beside the clean one


def _h(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)


def split_of(site: str) -> str:
    b = _h("real-site:" + site) % 100
    return "test" if b < TEST else "dev" if b < TEST + DEV else "train"


def read_sources(folder: Path, reserved: ReservedSources) -> list[dict]:
    rows, problems = [], []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            r = json.loads(line)
            text, label, kind, src = r.get("text"), r.get("label"), r.get("kind"), r.get("source")
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{where}: empty text")
            elif label not in LABELS:
                problems.append(f"{where}: label {label!r}")
            elif kind not in KINDS:
                problems.append(f"{where}: kind {kind!r}")
            elif not isinstance(src, str) or not src.startswith(("http://", "https://")):
                problems.append(f"{where}: source is not a URL")
            elif reserved.covers(src):
                problems.append(f"{where}: source {src} is reserved for evaluation")
            else:
                rule = r.get("rule") or []
                rows.append({"text": text.strip(), "label": label, "kind": kind, "style": "clean",
                             "site": site_of(src), "source": src,
                             "rule": sorted({int(x) for x in rule if str(x).isdigit()}), "from": where})
    if problems:
        raise SystemExit("bad source records:\n  " + "\n  ".join(problems))
    return rows


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    out_dir = Path(argv[0]) if argv else ROOT / "real"
    out_dir.mkdir(parents=True, exist_ok=True)
    reserved = ReservedSources.from_file(ROOT / "real" / "RESERVED_SOURCES.txt")
    rows = read_sources(ROOT / "real" / "source", reserved)
    per_page, per_site, seen, kept = Counter(), Counter(), set(), []
    for r in rows:
        page = r["source"].split("#")[0]
        key = " ".join(r["text"].lower().split())
        if key in seen or per_page[page] >= MAX_PER_PAGE or per_site[r["site"]] >= MAX_PER_SITE:
            continue
        seen.add(key)
        per_page[page] += 1
        per_site[r["site"]] += 1
        r["id"] = f"r{_h(r['from']) % 10**8:08d}"
        kept.append(r)
    splits: dict[str, list[dict]] = {"train": [], "dev": [], "test": [], "dev_asr": [], "test_asr": []}
    for r in kept:
        split = split_of(r["site"])
        splits[split].append(r)
        asr = {**r, "text": to_asr(r["text"]), "style": "asr", "id": r["id"] + "a"}
        if split != "train":
            splits[split + "_asr"].append(asr)
        elif r["kind"] in ("spoken", "transcript") and _h("asr:" + r["text"]) % 100 < ASR_SHARE:
            splits["train"].append(asr)
    for name, items in splits.items():
        with open(out_dir / f"{name}.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for r in items:
                f.write(json.dumps({k: r[k] for k in FIELDS}, ensure_ascii=False) + "\n")
    print(f"records: {len(kept)} (of {len(rows)} read)  sites: {len(per_site)}  pages: {len(per_page)}")
    for name, items in splits.items():
        c = Counter(r["label"] for r in items)
        sites = len({r["site"] for r in items})
        print(f"  {name:8s} {len(items):5d} sites {sites:4d} " + " ".join(f"{k}={c[k]}" for k in LABELS))
    print("  kinds: " + ", ".join(f"{k} {v}" for k, v in Counter(r["kind"] for r in kept).most_common()))


if __name__ == "__main__":
    main()
