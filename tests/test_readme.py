"""The README's commands run as written (the review-loop section has its own test, test_review_readme)."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Commands that need what a test machine has not got: a Dask scheduler of yours; installing is the set-up itself.
NOT_RUN = ("--scheduler", "pip install", "python3 -m venv", "benchmarks/")


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    text = text.split("## Teach it your domain: the review loop")[0]
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("closing-signal ") and not any(x in line for x in NOT_RUN):
                out.append(line)
    return out


def test_the_readme_shows_commands():
    cmds = _commands()
    assert len(cmds) >= 10 and any(c.startswith("closing-signal train data/train.jsonl") for c in cmds)


@pytest.mark.slow
def test_readme_commands_run_as_written(tmp_path):
    """In a fresh folder holding the repository's data (what a clone has), in the README's order."""
    (tmp_path / "data").symlink_to(ROOT / "data")
    (tmp_path / "models").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for cmd in _commands():
        args = shlex.split(cmd)
        r = subprocess.run([sys.executable, "-m", "closing_signal.cli", *args[1:]], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{cmd}\n{r.stderr[-2000:]}"
    assert (tmp_path / "models" / "default" / "meta.json").is_file() and (tmp_path / "report.html").is_file()
