"""A realistic bad day: 1,000 transcripts, 5% of them broken; a full disk."""

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TDIR = ROOT / "data" / "transcripts"


def test_thousand_files_with_five_percent_broken(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    good = sorted(p for p in TDIR.iterdir() if p.name.startswith("t"))
    rng = random.Random(0)
    bad = set(rng.sample(range(1000), 50))
    kinds = ["corrupt", "binary", "empty", "misencoded", "huge"]
    for i in range(1000):
        if i in bad:
            kind = kinds[i % 5]
            p = src / f"{i:04d}_{kind}.{'json' if kind == 'corrupt' else 'txt'}"
            if kind == "corrupt":
                p.write_text('{"segments": [{"speaker": "A", "text": "hi"}, {"speak')
            elif kind == "binary":
                p.write_bytes(bytes(rng.randrange(256) for _ in range(3000)))
            elif kind == "empty":
                p.write_bytes(b"")
            elif kind == "misencoded":  # UTF-16 without a BOM, cut to an odd length
                p.write_bytes("Interviewer: Any questions?\nSam: Count me in!".encode("utf-16-le")[:-1] + b"\x00\xd8")
            else:  # larger than the 64 MiB limit, sparse on disk
                with open(p, "wb") as f:
                    f.truncate(65 * 2**20)
        else:
            f = good[i % len(good)]
            shutil.copy(f, src / f"{i:04d}_{f.name}")
    out = tmp_path / "rows.jsonl"
    proc = subprocess.run([sys.executable, "-m", "closing_signal.cli", "score", str(src), "--out", str(out),
                           "--jobs", "2"], capture_output=True, text=True, cwd=ROOT)
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert proc.returncode == 1
    assert len(rows) == 1000 and len({r["file"] for r in rows}) == 1000
    failed = {Path(r["file"]).name: r["error"] for r in rows if r["error"]}
    assert len(failed) == 50, sorted(failed)[:5]
    assert all(int(name[:4]) in bad for name in failed)
    assert all(name in err for name, err in failed.items())
    reasons = " ".join(failed.values())
    for reason in ("invalid JSON", "not readable as text", "empty file", "limit"):
        assert reason in reasons
    assert "failed 50" in proc.stderr


def test_full_disk_is_a_clear_error_and_keeps_written_rows(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("this system has no /dev/full")
    proc = subprocess.run([sys.executable, "-m", "closing_signal.cli", "score", str(TDIR), "--out", "/dev/full"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "No space left on device" in proc.stderr and "re-run with --resume" in proc.stderr
    assert "Traceback" not in proc.stderr
