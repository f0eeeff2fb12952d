"""closing-signal score: rows, formats, exit codes, resume after a kill, early failure."""

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TDIR = ROOT / "data" / "transcripts"
REQUIRED = {"file", "label", "probabilities", "candidate", "closing_start", "evidence", "advice", "error"}


def run(*args, input=None):
    return subprocess.run([sys.executable, "-m", "closing_signal.cli", "score", *args], capture_output=True,
                          text=True, input=input, cwd=ROOT)


def test_folder_to_jsonl_with_summary(tmp_path):
    out = run(str(TDIR), "--out", str(tmp_path / "r.jsonl"))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert len(rows) == 25 and all(REQUIRED <= set(r) for r in rows)
    assert "scored 25 file(s)" in out.stderr and "interest" in out.stderr


def test_csv_output(tmp_path):
    out = run(str(TDIR / "t01_plain_nurse.txt"), str(TDIR / "t12_subs.srt"), "--out", str(tmp_path / "r.csv"))
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert [r["label"] for r in rows] == ["interest", "ambiguous"]
    assert float(rows[0]["p_interest"]) > 0.5 and rows[1]["advice"] and "probabilities" not in rows[0]
    assert abs(sum(float(rows[1][f"p_{k}"]) for k in ("interest", "ambiguous", "disinterest")) - 1) < 1e-5


def test_stdin():
    out = run("-", input="Recruiter: Any questions for us?\nSam: Where do I sign?\n")
    row = json.loads(out.stdout)
    assert row["file"] == "-" and row["label"] == "interest" and row["candidate"] == "Sam"


def test_failures_are_rows_and_exit_non_zero(tmp_path):
    (tmp_path / "in").mkdir()
    shutil.copy(TDIR / "t01_plain_nurse.txt", tmp_path / "in")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "garbage.json").write_bytes(os.urandom(2000))
    out = run(str(tmp_path / "in"), "--out", str(tmp_path / "r.jsonl"))
    rows = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert out.returncode == 1 and len(rows) == 3
    errors = {Path(r["file"]).name: r["error"] for r in rows}
    assert errors["t01_plain_nurse.txt"] is None
    assert "empty file" in errors["empty.txt"] and "garbage.json" in errors["garbage.json"]
    assert "failed 2" in out.stderr


def test_unwritable_output_fails_before_any_work(tmp_path):
    out = run(str(TDIR), "--out", str(tmp_path / "no" / "such" / "dir" / "r.jsonl"))
    assert out.returncode == 2 and "cannot write" in out.stderr


def test_killed_parallel_run_then_resume_gives_one_row_per_file(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    files = sorted(TDIR.glob("t*"))
    for i in range(40):  # 1,000 files: a run of ~1 s, so a 50 ms poll stops it partway on a fast machine too
        for f in files:
            shutil.copy(f, src / f"{i:02d}_{f.name}")
    n = len(list(src.iterdir()))
    out = tmp_path / "r.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "closing_signal.cli", "score", str(src), "--out", str(out),
                             "--jobs", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    kill_after = random.Random().randint(5, 100)  # a random point; any point must be recoverable
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.read_text().count("\n") < kill_after):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = out.read_text().count("\n")
    assert 0 < partial < n, f"the run should have been killed partway (after {kill_after} rows)"
    again = run(str(src), "--out", str(out), "--resume", "--jobs", "2")
    assert again.returncode == 0, again.stderr
    rows = [json.loads(x) for x in out.read_text().splitlines()]  # every line is whole JSON
    names = [r["file"] for r in rows]
    assert len(names) == n and len(set(names)) == n
