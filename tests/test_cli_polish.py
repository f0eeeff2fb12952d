"""The command line as a user meets it: version, help, usage errors, output modes, failure lines, report."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TDIR = ROOT / "data" / "transcripts"


def cli(*args, input=None):
    return subprocess.run([sys.executable, "-m", "closing_signal.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, input=input)


def test_version_and_description():
    import closing_signal

    r = cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"closing-signal {closing_signal.__version__}"
    h = cli("--help").stdout
    assert "Label what a job candidate says" in h and "The ``closing-signal`` command" not in h


def test_every_option_has_help():
    from closing_signal.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    missing = [f"{name} {a.option_strings or a.dest}" for name, p in sub.choices.items() for a in p._actions
               if a.help is None]
    assert not missing, missing


@pytest.mark.parametrize("args", [
    ("predict", "--jobs", "0", "x"), ("score", str(TDIR / "t01_plain_nurse.txt"), "--jobs", "-3"),
    ("evaluate", "data/test.jsonl", "--errors", "-3"), ("predict", "-i", "no/such/file.txt"),
    ("evaluate", "data/test.jsonl", "--report", "r.pdf"), ("score", str(TDIR / "t01_plain_nurse.txt"), "--out", "o.txt"),
])
def test_usage_errors_exit_2_and_write_nothing(tmp_path, args):
    r = subprocess.run([sys.executable, "-m", "closing_signal.cli", *args], capture_output=True, text=True,
                       cwd=tmp_path, env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "src")})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert not list(tmp_path.iterdir())


def test_binary_input_is_named_not_a_codec_error(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"ok line\n\xff\xfe\x00binary")
    r = cli("predict", "-i", str(f))
    assert r.returncode == 2 and f"{f}:2: not UTF-8 text" in r.stderr and "codec" not in r.stderr


def test_score_table_lists_files_and_failures_go_to_stderr(tmp_path):
    bad = tmp_path / "broken.vtt"
    bad.write_bytes(b"\x00\x01 not a transcript")
    r = cli("score", str(TDIR / "t01_plain_nurse.txt"), str(TDIR / "t02_plain_titles.txt"), str(bad),
            "--format", "table")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert any("t01_plain_nurse.txt" in x and "interest" in x and "Priya Shah" in x for x in lines)
    assert any("broken.vtt" in x and "failed" in x for x in lines)
    assert f"failed: {bad}:" in r.stderr and "scored 3 file(s)" in r.stderr


def test_failure_lines_also_when_writing_a_file(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    out = tmp_path / "r.jsonl"
    r = cli("score", str(TDIR / "t01_plain_nurse.txt"), str(bad), "--out", str(out))
    assert r.returncode == 1 and f"failed: {bad}:" in r.stderr
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 2 and rows[1]["error"] and rows[0]["p_interest"] == rows[0]["probabilities"]["interest"]


def test_html_report_has_plots_scores_and_marked_errors(tmp_path):
    pytest.importorskip("matplotlib")
    r = cli("evaluate", "data/test.jsonl", "--report", str(tmp_path / "r.html"), "--errors", "5")
    assert r.returncode == 0
    html = (tmp_path / "r.html").read_text()
    assert html.count("data:image/png;base64,") == 2 and "Worst errors" in html
    assert html.count("<mark class=") >= 5 and "macro-F1" in html


def test_a_huge_turn_is_not_echoed_whole_into_the_row(tmp_path):
    from closing_signal.transcripts.scoring import ROW_TEXT_MAX

    f = tmp_path / "long.txt"
    f.write_text("Interviewer: Any questions for us?\nCandidate: " + "blah " * 400_000 + "and I want this job.\n")
    r = cli("score", str(f), "--out", str(tmp_path / "r.jsonl"))
    assert r.returncode == 0, r.stderr
    row = json.loads((tmp_path / "r.jsonl").read_text())
    assert len(row["decided_by"]) == ROW_TEXT_MAX and row["decided_by"].endswith("I want this job.")
