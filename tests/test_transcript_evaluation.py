"""Transcript-level evaluation: a gold file of {file, label, candidate, closing_start}, API and CLI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from closing_signal.data.records import DataError
from closing_signal.evaluation import evaluate_transcripts, is_transcript_gold

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "data" / "transcripts" / "gold.jsonl"


def test_sample_gold_scores_label_candidate_and_closing(model):
    rep = evaluate_transcripts(GOLD, model=model)
    assert rep.n_files == 25 and not rep.failed
    assert rep.labels.macro_f1 == 1.0 and rep.candidate_accuracy == 1.0 and rep.n_candidate == 24
    assert rep.closing_start_agreement == 1.0 and rep.n_closing_start == 25


def test_wrong_gold_shows_as_errors_and_failures(model, tmp_path):
    lines = [json.loads(x) for x in GOLD.read_text().splitlines()][:4]
    lines[0] = {**lines[0], "label": "disinterest", "candidate": "Somebody Else", "closing_start": 0}
    (tmp_path / "gold.jsonl").write_text("\n".join(json.dumps({**g, "file": str(ROOT / "data" / "transcripts" / g["file"])})
                                                   for g in lines) + '\n{"file": "missing.txt", "label": "interest"}\n')
    rep = evaluate_transcripts(tmp_path / "gold.jsonl", model=model)
    assert rep.n_files == 5 and [f["file"] for f in rep.failed] == ["missing.txt"]
    assert rep.candidate_accuracy == 0.75 and rep.closing_start_agreement == 0.75
    assert rep.labels.errors[0]["gold"] == "disinterest" and rep.labels.n == 4


def test_bad_gold_lines_are_named(tmp_path):
    f = tmp_path / "g.jsonl"
    f.write_text('{"file": "a.txt", "label": "interest"}\n{"file": "b.txt", "label": "maybe"}\nnot json\n')
    with pytest.raises(DataError, match=r"g.jsonl:2: expected .*\n.*g.jsonl:3: invalid JSON"):
        evaluate_transcripts(f)


def test_detection_of_a_transcript_gold_file(tmp_path):
    assert is_transcript_gold(GOLD)
    assert not is_transcript_gold(ROOT / "data" / "test.jsonl")
    (tmp_path / "x.jsonl").write_text("[[[")
    assert not is_transcript_gold(tmp_path / "x.jsonl")


def test_cli_evaluates_the_sample_gold():
    r = subprocess.run([sys.executable, "-m", "closing_signal.cli", "evaluate", str(GOLD), "--json"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["n_files"] == 25 and out["candidate_accuracy"] == 1.0 and out["labels"]["macro_f1"] == 1.0
