"""The benchmark runs and writes valid records (a smoke test: sizes are tiny, timings are not checked)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_writes_a_record_and_a_table(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    records = list(tmp_path.glob("run-*-quick.json"))
    assert len(records) == 1
    rec = json.loads(records[0].read_text())
    assert rec["quick"] is True and rec["machine"]["cores"] >= 1
    methods = {r["method"]: r for r in rec["results"]}
    assert {"floor_split", "floor_spacy", "closing_signal_bs100", "closing_signal_bs1000_n2", "tfidf_lr"} <= set(methods)
    for r in methods.values():
        assert r["reps"] == len(r["rates"]) >= 2 and r["utterances_per_s_median"] > 0 and r["peak_rss_mb"] > 0
    assert methods["floor_spacy"]["ratio_to_spacy_floor"] == 1.0
    assert 0 <= methods["closing_signal_bs100"]["macro_f1_test"] <= 1
    assert 0 <= methods["closing_signal_bs100"]["macro_f1_real_test"] <= 1 and "real test" in (tmp_path / "latest-quick.md").read_text()
    assert rec["stream"]["total"] == 3000 and len(rec["stream"]["samples"]) >= 2
    assert {t["jobs"] for t in rec["transcripts"]} == {1, 2}
    assert set(rec["targets"]) == {"predict_many_vs_floor", "two_vs_one_process", "stream_rss_growth"}
    table = (tmp_path / "latest-quick.md").read_text()
    assert "| method |" in table and "QUICK" in table
