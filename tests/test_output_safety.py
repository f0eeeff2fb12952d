"""Never destroy a user's file: output paths, locks, resume, CSV cells, bad training files.

Each test names the item of the safety issue (#11) it covers and the promise of
SECURITY.md it checks.
"""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from closing_signal.data.records import DataError, read_records
from closing_signal.output import CSV_COLUMNS, OutputFormatError, RowWriter, done_files
from closing_signal.overwrite import OverwriteError
from closing_signal.text import check_text
from closing_signal.training import train, write_model

ROOT = Path(__file__).resolve().parents[1]
T01 = ROOT / "data" / "transcripts" / "t01_plain_nurse.txt"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "closing_signal.cli", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="module")
def tiny_model():
    return train([("I want this job", "interest"), ("Not for me", "disinterest"),
                  ("What are the next steps?", "ambiguous")] * 3)


# -- item 1: train --out never deletes a folder or file it did not write -----------------------
def test_item1_train_out_refuses_a_users_folder_and_keeps_it(tmp_path):
    """SECURITY.md: an output path that holds what we did not write is refused, not replaced."""
    data = tmp_path / "mydata"
    data.mkdir()
    lines = [json.dumps({"text": t, "label": lab}) for t, lab in
             [("I want this job", "interest"), ("Not for me", "disinterest"), ("Next steps?", "ambiguous")] * 3]
    (data / "dev.jsonl").write_text("\n".join(lines) + "\n")
    (data / "notes.txt").write_text("keep")
    r = cli("train", str(data / "dev.jsonl"), "--out", str(data))
    assert r.returncode == 2 and "--force" in r.stderr
    assert sorted(os.listdir(data)) == ["dev.jsonl", "notes.txt"] and (data / "notes.txt").read_text() == "keep"
    csv_file = tmp_path / "results.csv"
    csv_file.write_text("a,b\n1,2\n")
    r = cli("train", str(data / "dev.jsonl"), "--out", str(csv_file))
    assert r.returncode == 2 and csv_file.read_text() == "a,b\n1,2\n"


def test_item1_an_input_is_never_an_output_even_with_force(tmp_path):
    f = tmp_path / "d.jsonl"
    f.write_text(json.dumps({"text": "I want this job", "label": "interest"}) + "\n")
    r = cli("train", str(f), "--out", str(f), "--force")
    assert r.returncode == 2 and "also an input" in r.stderr and f.read_text().startswith("{")


def test_item1_write_model_replaces_its_own_model_and_refuses_others(tmp_path, tiny_model):
    out = tmp_path / "m"
    write_model(tiny_model, out)
    write_model(tiny_model, out)  # a model directory we wrote: replaced
    assert (out / "meta.json").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name != "m"]  # nothing left aside
    (out / "mine.txt").write_text("user file")
    with pytest.raises(OverwriteError, match="force"):
        write_model(tiny_model, out)
    assert (out / "mine.txt").read_text() == "user file"
    write_model(tiny_model, out, force=True)
    assert not (out / "mine.txt").exists() and (out / "meta.json").is_file()


def test_item1_a_folder_named_like_the_old_backup_is_not_touched(tmp_path, tiny_model):
    (tmp_path / "m.old").mkdir()
    (tmp_path / "m.old" / "precious.txt").write_text("x")
    write_model(tiny_model, tmp_path / "m")
    write_model(tiny_model, tmp_path / "m")
    assert (tmp_path / "m.old" / "precious.txt").read_text() == "x"


# -- item 2: score --out never empties an input -----------------------------------------------
def test_item2_score_out_equal_to_input_leaves_it_intact(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(T01.read_text())
    before = a.read_bytes()
    r = cli("score", str(a), "--out", str(a))
    assert r.returncode == 2 and a.read_bytes() == before


def test_item2_score_refuses_a_foreign_nonempty_out_until_forced(tmp_path):
    out = tmp_path / "notes.jsonl"
    out.write_text("my own notes\n")
    r = cli("score", str(T01), "--out", str(out))
    assert r.returncode == 2 and "--force" in r.stderr and out.read_text() == "my own notes\n"
    r = cli("score", str(T01), "--out", str(out), "--force")
    assert r.returncode == 0 and json.loads(out.read_text().splitlines()[0])["file"] == str(T01)


def test_item2_a_previous_result_file_may_be_overwritten(tmp_path):
    out = tmp_path / "r.jsonl"
    assert cli("score", str(T01), "--out", str(out)).returncode == 0
    assert cli("score", str(T01), "--out", str(out)).returncode == 0
    assert len(out.read_text().splitlines()) == 1


# -- item 3: one writer at a time ----------------------------------------------------------------
def test_item3_a_second_writer_of_the_same_file_is_refused(tmp_path):
    """SECURITY.md: two runs never write one output file at once (an advisory lock)."""
    path = str(tmp_path / "r.jsonl")
    w = RowWriter(path)
    try:
        with pytest.raises(OverwriteError, match="another closing-signal run"):
            RowWriter(path, append=True)
        w.write({"file": "a", "label": "ambiguous"})
    finally:
        w.close()
    w2 = RowWriter(path, append=True)  # free again once the first closed
    assert w2.done == {"a"}
    w2.close()


# -- item 4: resume checks the file first, splits rows on "\n" only ---------------------------
def test_item4_resume_refuses_a_file_that_is_not_ours(tmp_path):
    out = tmp_path / "log.jsonl"
    out.write_text('{"some": "other tool"}\n{"last": "line"')
    before = out.read_bytes()
    r = cli("score", str(T01), "--out", str(out), "--resume")
    assert r.returncode == 2 and out.read_bytes() == before
    with pytest.raises(OutputFormatError):
        done_files(out)


def test_item4_resume_with_line_separators_in_rows_adds_no_duplicates(tmp_path):
    path = str(tmp_path / "r.jsonl")
    w = RowWriter(path)
    for name in ("a\u2028b", "c\u2029d", "e\x85f"):
        w.write({"file": name, "label": "ambiguous", "decided_by": "x\u2028y"})
    w.close()
    w = RowWriter(path, append=True)
    assert w.done == {"a\u2028b", "c\u2029d", "e\x85f"}
    w.close()
    assert len(Path(path).read_bytes().split(b"\n")) == 4


def test_item4_csv_cut_inside_a_quoted_newline_resumes_cleanly(tmp_path):
    path = tmp_path / "r.csv"
    w = RowWriter(str(path))
    w.write({"file": "one", "label": "interest", "decided_by": "line 1\nline 2"})
    w.write({"file": "two", "label": "ambiguous", "decided_by": "first part\nsecond part"})
    w.close()
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"first part\n") + len(b"first part\n")])  # a crash inside row two
    w = RowWriter(str(path), append=True)
    assert w.done == {"one"}
    w.write({"file": "two", "label": "ambiguous", "decided_by": "again"})
    w.close()
    rows = list(csv.DictReader(path.open(newline="")))
    assert [r["file"] for r in rows] == ["one", "two"] and rows[0]["decided_by"] == "line 1\nline 2"
    assert rows[1]["decided_by"] == "again"


def test_item4_torn_jsonl_tail_is_dropped_on_resume(tmp_path):
    path = tmp_path / "r.jsonl"
    w = RowWriter(str(path))
    w.write({"file": "a", "label": "interest"})
    w.close()
    with open(path, "ab") as f:
        f.write(b'{"file": "b", "lab')
    w = RowWriter(str(path), append=True)
    assert w.done == {"a"}
    w.close()
    assert path.read_text().count("\n") == 1 and path.read_text().endswith("}\n")


# -- item 11: str subclasses and lone surrogates -------------------------------------------------
def test_item11_str_subclass_and_lone_surrogate(model):
    np = pytest.importorskip("numpy")
    t = np.str_("I would love to join the team")
    assert type(check_text(t)) is str
    assert model.predict(t).label == model.predict(str(t)).label
    p = model.predict("thanks a lot \ud800 bye")
    assert abs(sum(p.probabilities.values()) - 1) < 1e-9
    assert [q.label for q in model.predict_many(np.array(["Not for me", "What are the next steps?"]))] == \
           [model.predict("Not for me").label, model.predict("What are the next steps?").label]


# -- item 14 (data files): bad training files give DataError, never a traceback ------------------
def test_item14_csv_field_over_the_csv_limit_is_a_data_error(tmp_path):
    f = tmp_path / "big.csv"
    f.write_text("text,label\n\"" + "a" * 200_000 + "\",interest\n")
    with pytest.raises(DataError, match=r"big.csv:\d+: unreadable CSV"):
        read_records(f)
    r = cli("train", str(f), "--out", str(tmp_path / "m"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "big.csv" in r.stderr


def test_item14_deeply_nested_jsonl_line_is_a_data_error(tmp_path):
    f = tmp_path / "deep.jsonl"
    f.write_text(json.dumps({"text": "I want it", "label": "interest"}) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(DataError, match=r"deep.jsonl:2: JSON nested too deeply"):
        read_records(f)


# -- item 15: CSV formula injection ----------------------------------------------------------------
def test_item15_csv_cells_never_start_a_formula(tmp_path):
    """SECURITY.md: text that a spreadsheet would run as a formula is written with a leading quote."""
    path = tmp_path / "r.csv"
    w = RowWriter(str(path))
    w.write({"file": "=cmd.txt", "label": "ambiguous", "decided_by": '=HYPERLINK("http://x","y")',
             "candidate": "+1", "advice": "@SUM(A1)", "closing_cue": "-2"})
    w.close()
    rows = list(csv.reader(path.open(newline="")))
    assert rows[0] == list(CSV_COLUMNS)
    assert all(not c.startswith(("=", "+", "-", "@")) for c in rows[1])
    assert RowWriter(str(path), append=True).done == {"=cmd.txt"}  # resume reads the name back


def test_item4_resume_skips_a_file_whose_name_is_not_utf8(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9.txt")
    (folder / name).write_text(T01.read_text())
    out = tmp_path / "r.jsonl"
    assert cli("score", str(folder), "--out", str(out)).returncode == 0
    r = cli("score", str(folder), "--out", str(out), "--resume")
    assert r.returncode == 0 and "1 already in" in r.stderr
    assert len(out.read_text().splitlines()) == 1
