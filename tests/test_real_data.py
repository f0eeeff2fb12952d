"""The real-derived corpus (data/real/): no reserved source, no site in two splits, limits, rebuild."""

import json
from collections import Counter
from pathlib import Path

import pytest

from closing_signal.data.sources import ReservedSources, site_of

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "real"
SPLITS = ("train", "dev", "test", "dev_asr", "test_asr")
SHARED_RESERVED = ROOT.parent / "shared" / "EVAL_RESERVED_SOURCES.txt"


def records(*names):
    out = []
    for name in names:
        for line in (REAL / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            out.append(json.loads(line))
    return out


def source_records():
    out = []
    for path in sorted((REAL / "source").glob("*.jsonl")):
        out += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return out


def _reserved_lists():
    lists = [REAL / "RESERVED_SOURCES.txt"]
    if SHARED_RESERVED.is_file():  # the live list, where the project's shared docs sit beside the checkout
        lists.append(SHARED_RESERVED)
    return lists


@pytest.mark.parametrize("path", _reserved_lists(), ids=lambda p: p.parent.name + "/" + p.name)
def test_no_record_comes_from_a_reserved_source(path):
    reserved = ReservedSources.from_file(path)
    assert len(reserved.domains) > 100
    bad = [r["source"] for r in source_records() + records(*SPLITS) if reserved.covers(r["source"])]
    assert not bad, bad[:5]


def test_the_reserved_snapshot_is_the_shared_list():
    if not SHARED_RESERVED.is_file():
        pytest.skip("the shared reserved list is not beside this checkout (it is in CI)")
    snap, live = ReservedSources.from_file(REAL / "RESERVED_SOURCES.txt"), ReservedSources.from_file(SHARED_RESERVED)
    assert live.domains <= snap.domains and live.pages <= snap.pages and live.repos <= snap.repos


def test_reserved_list_matching():
    r = ReservedSources(["example.com", "https://qa.net/q/11627", "https://github.com/a/b   (the whole repository)"])
    assert r.covers("https://www.example.com/x") and r.covers("http://sub.example.com")
    assert not r.covers("https://notexample.com/x")
    assert r.covers("https://qa.net/questions/11627/some-title") and not r.covers("https://qa.net/q/116270")
    assert r.covers("https://github.com/a/b/blob/main/README.md") and not r.covers("https://github.com/a/bc")


def test_no_site_in_two_splits():
    where: dict[str, set] = {}
    for name in ("train", "dev", "test"):
        for r in records(name):
            where.setdefault(r["site"], set()).add(name)
            assert r["site"] == site_of(r["source"])
    assert not [s for s, v in where.items() if len(v) > 1]


def test_sizes_limits_and_coverage():
    clean = [r for r in records("train", "dev", "test") if r["style"] == "clean"]
    labels = Counter(r["label"] for r in clean)
    assert len(clean) >= 1800 and min(labels.values()) >= 500, labels
    assert max(Counter(r["source"] for r in clean).values()) <= 4
    assert max(Counter(r["site"] for r in clean).values()) <= 10
    assert len({r["site"] for r in clean}) >= 400
    test = records("test")
    assert len(test) >= 350 and len({r["site"] for r in test}) >= 120
    kinds = Counter(r["kind"] for r in clean)
    assert kinds["spoken"] >= 600 and kinds["email"] + kinds["message"] >= 400
    assert kinds["forum"] + kinds["reported"] >= 300
    rules = {n for r in clean for n in r["rule"]}
    assert set(range(1, 17)) - {8, 16} <= rules  # 8 (interviewer's words) and 16 (ASR) shape, not label, records


def test_asr_renderings_sit_in_their_clean_records_split():
    for name in ("dev", "test"):
        clean = {r["id"] for r in records(name)}
        asr = records(f"{name}_asr")
        assert {r["id"][:-1] for r in asr} == clean and all(r["style"] == "asr" for r in asr)
    train = records("train")
    spoken = [r for r in train if r["style"] == "clean" and r["kind"] in ("spoken", "transcript")]
    assert sum(r["style"] == "asr" for r in train) >= 0.2 * len(spoken)


def test_build_is_deterministic(tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "data" / "build_real.py"), str(tmp_path)], check=True,
                   capture_output=True)
    for name in SPLITS:
        assert (tmp_path / f"{name}.jsonl").read_bytes() == (REAL / f"{name}.jsonl").read_bytes(), name
