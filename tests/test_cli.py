"""The closing-signal command: predict, evaluate (the held-out numbers), train errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, input=None):
    return subprocess.run([sys.executable, "-m", "closing_signal.cli", *args], capture_output=True, text=True,
                          input=input, cwd=ROOT)


def test_predict_sample_file():
    out = run("predict", "--input", "data/samples/closings.txt", "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) >= 8 and all(r["label"] in ("interest", "ambiguous", "disinterest") for r in rows)


def test_predict_stdin_and_args():
    out = run("predict", "Count me in!", "--input", "-", "--format", "jsonl", input="What are the next steps?\n")
    assert [json.loads(x)["label"] for x in out.stdout.splitlines()] == ["interest", "ambiguous"]


def test_evaluate_held_out_test_split_meets_the_targets():
    out = run("evaluate", "data/test.jsonl", "--json")
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    assert rep["macro_f1"] >= 0.92
    assert all(v["f1"] >= 0.88 for v in rep["per_label"].values()), rep["per_label"]
    assert abs(rep["subsets"]["asr"]["macro_f1"] - rep["subsets"]["clean"]["macro_f1"]) <= 0.03, rep["subsets"]
    assert sum(map(sum, rep["confusion"])) == rep["n"]


def test_evaluate_prints_confusion_matrix():
    out = run("evaluate", "data/test.jsonl", "--errors", "3")
    assert "confusion (rows = gold, columns = predicted)" in out.stdout and "worst errors (3)" in out.stdout


@pytest.mark.parametrize("content,message", [
    ("", "no labeled records"),
    ('{"text": "hi", "label": "maybe"}\n{"text": "x", "label": "nah"}\n', "2 bad line"),
    ('{"label": "interest"}\n', "missing or empty 'text'"),
    ("not json\n", "invalid JSON"),
])
def test_train_bad_data_is_a_clear_error_and_leaves_no_model(tmp_path, content, message):
    data = tmp_path / "bad.jsonl"
    data.write_text(content)
    out = run("train", str(data), "--out", str(tmp_path / "model"))
    assert out.returncode == 2 and message in out.stderr and str(data) in out.stderr
    assert not (tmp_path / "model").exists()


def test_train_rejects_non_utf8_and_bad_csv_header(tmp_path):
    data = tmp_path / "latin1.jsonl"
    data.write_bytes('{"text": "caf\xe9", "label": "interest"}\n'.encode("latin-1"))
    out = run("train", str(data), "--out", str(tmp_path / "m"))
    assert out.returncode == 2 and "not valid UTF-8" in out.stderr
    csv = tmp_path / "bad.csv"
    csv.write_text("utterance,stance\nhello,interest\n")
    out = run("train", str(csv), "--out", str(tmp_path / "m"))
    assert out.returncode == 2 and "'text' and 'label'" in out.stderr
