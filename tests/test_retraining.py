"""Retraining on a user's labels, data checks, evaluation modes and reports."""

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import closing_signal
from closing_signal.data.quality import check_records
from closing_signal.data.records import Record, read_records
from closing_signal.training import DataWarning, train, write_model

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "data" / "domains" / "offshore"
SMALL = [("I really want this role", "interest"), ("Count me in!", "interest"), ("I'm so excited to join", "interest"),
         ("What are the next steps?", "ambiguous"), ("Thanks for your time", "ambiguous"),
         ("Maybe, I'll think about it", "ambiguous"), ("I'll pass", "disinterest"),
         ("I've accepted another offer", "disinterest"), ("Not for me, sorry", "disinterest")] * 3


def _macro(model, recs):
    from sklearn.metrics import f1_score

    return f1_score([r.label for r in recs], [p.label.value for p in model.predict_many([r.text for r in recs])],
                    average="macro")


def test_base_plus_domain_examples_beats_the_shipped_model_on_that_domain(model):
    held = read_records(DOMAIN / "heldout.jsonl")
    before = _macro(model, held)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        adapted = train([DOMAIN / "train.jsonl"], base=True)
    after = _macro(adapted, held)
    print(f"offshore held-out macro-F1: shipped {before:.3f} -> retrained {after:.3f}")
    assert after > before + 0.05
    assert adapted.meta["training"]["n_records"] > 2000  # the shipped corpus was included


def test_round_trip_in_a_fresh_process(tmp_path):
    data = tmp_path / "small.jsonl"
    data.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in SMALL))
    out = subprocess.run([sys.executable, "-m", "closing_signal.cli", "train", str(data), "--out", str(tmp_path / "m"),
                          "--seed", "7"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    texts = ["count me in", "what's next", "no thanks", "I'd love to join"]
    here = [p.to_dict() for p in closing_signal.load(tmp_path / "m").predict_many(texts)]
    code = (f"import json, closing_signal; m = closing_signal.load({str(tmp_path / 'm')!r}); "
            f"print(json.dumps([p.to_dict() for p in m.predict_many({texts!r})]))")
    there = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert here == there
    card = (tmp_path / "m" / "README.md").read_text()
    assert "sha256" in card and "random_state: 7" in card


def test_duplicates_conflicts_and_imbalance_are_reported():
    recs = [Record("I want this job!", "interest", "a:1"), Record("i want this job", "interest", "a:2"),
            Record("What's next?", "ambiguous", "a:3"), Record("what's next", "disinterest", "a:4")]
    recs += [Record(f"I'll pass on job {i}", "disinterest", f"b:{i}") for i in range(30)]
    kept, report = check_records(recs)
    assert report.duplicates == 1 and len(report.conflicts) == 1
    assert "a:3 (ambiguous)" in report.conflicts[0][0] and len(kept) == 31
    assert any("class imbalance" in w and "'interest'" in w for w in report.warnings)
    with pytest.warns(DataWarning, match="conflicting labels"):
        train(recs + [Record(f"Count me in {i}", "interest", f"c:{i}") for i in range(5)]
              + [Record(f"When will I hear back about round {i}?", "ambiguous", f"d:{i}") for i in range(5)])


def test_prodigy_jsonl_is_read(tmp_path):
    p = tmp_path / "prodigy.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in [
        {"text": "Sign me up", "label": "interest", "answer": "accept"},
        {"text": "Not for me", "accept": ["disinterest"], "answer": "accept"},
        {"text": "skipped", "label": "interest", "answer": "reject"},
        {"text": "What now?", "label": "ambiguous"},
    ]) + "\n")
    assert [(r.text, r.label) for r in read_records(p)] == [
        ("Sign me up", "interest"), ("Not for me", "disinterest"), ("What now?", "ambiguous")]


def test_many_bad_lines_are_all_counted(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text("".join(json.dumps({"text": f"t{i}", "label": "meh"}) + "\n" for i in range(25)))
    with pytest.raises(ValueError, match=r"25 bad line\(s\)") as e:
        read_records(p)
    assert f"{p}:1:" in str(e.value) and "and 5 more" in str(e.value)


def test_cross_validation_and_reports(tmp_path):
    recs = [Record(t, lab, f"x:{i}") for i, (t, lab) in enumerate(SMALL[:9])]
    recs += [Record(f"{t} — {w}", lab, f"y:{i}") for i, (t, lab) in enumerate(SMALL[:9])
             for w in ("honestly", "thanks", "ok")]
    result = closing_signal.cross_validate(recs, k=3)
    assert result["k"] == 3 and len(result["folds"]) == 3 and 0 <= result["macro_f1_mean"] <= 1
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"text": r.text, "label": r.label}) + "\n" for r in recs))
    for name in ("report.html", "report.md"):
        out = subprocess.run([sys.executable, "-m", "closing_signal.cli", "evaluate", str(data), "--report",
                              str(tmp_path / name)], capture_output=True, text=True, cwd=ROOT)
        assert out.returncode == 0, out.stderr
    html = (tmp_path / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 2 and "confusion" in html
    assert (tmp_path / "report-confusion.png").stat().st_size > 1000
    assert (tmp_path / "report-reliability.png").read_bytes()[:4] == b"\x89PNG"


def test_write_model_leaves_nothing_behind_on_failure(tmp_path, monkeypatch):
    model = train(SMALL)

    def boom(path):
        raise OSError("disk full")

    monkeypatch.setattr(type(model), "to_disk", lambda self, path: boom(path))
    with pytest.raises(OSError, match="disk full"):
        write_model(model, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []
