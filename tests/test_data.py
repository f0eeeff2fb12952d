"""The shipped corpus: size, coverage, ASR share, reproducible split, no leakage."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from closing_signal.data.dedup import cluster_near_duplicates, near_duplicate

ROOT = Path(__file__).resolve().parents[1]
SPLITS = ("train", "dev", "test")


@pytest.fixture(scope="module")
def rows():
    out = []
    for split in SPLITS:
        for line in (ROOT / "data" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            out.append({**json.loads(line), "split": split})
    return out


def test_records_have_the_documented_fields(rows):
    for r in rows:
        assert set(r) >= {"text", "label", "phenomenon", "style", "group", "source"}
        assert r["label"] in ("interest", "ambiguous", "disinterest") and r["text"].strip()


def test_size_counted_once_per_near_duplicate_group(rows):
    clusters = cluster_near_duplicates(r["text"] for r in rows)
    assert len(set(clusters)) >= 2400
    for label in ("interest", "ambiguous", "disinterest"):
        assert len({c for r, c in zip(rows, clusters) if r["label"] == label}) >= 600, label


def test_asr_share_and_lengths(rows):
    assert sum(r["style"] == "asr" for r in rows) / len(rows) >= 0.20
    lengths = [len(r["text"].split()) for r in rows]
    assert min(lengths) == 1 and max(lengths) >= 120
    assert len(Counter(r["phenomenon"] for r in rows)) >= 30


def test_no_near_duplicates_across_splits(rows):
    clusters = cluster_near_duplicates(r["text"] for r in rows)
    split_of = {}
    for r, c in zip(rows, clusters):
        assert split_of.setdefault(c, r["split"]) == r["split"], f"{r['text']!r} has a near-duplicate in {split_of[c]}"


def test_near_duplicate_definition():
    assert near_duplicate("I'm very interested in the nursing role.", "I'm very interested in the teaching role.")
    assert near_duplicate("um so what are the next steps", "So what are the next steps?")
    assert not near_duplicate("I want this job.", "I quit this job today, sorry.")


def test_build_is_deterministic_and_matches_the_committed_split(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "data" / "build_corpus.py"), str(tmp_path)], check=True,
                   capture_output=True)
    for split in SPLITS:
        assert (tmp_path / f"{split}.jsonl").read_bytes() == (ROOT / "data" / f"{split}.jsonl").read_bytes(), split
