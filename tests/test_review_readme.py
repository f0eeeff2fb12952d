"""The README's review-loop commands run as written (in a scratch folder that sees the repository's data/).

`annotate` is interactive: the test starts it as written, answers every closing through the page's API (with
the transcript's gold label, or the model's guess for the sample closings), and stops it with Ctrl+C."""

import json
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from test_review_server import Annotator

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Teach it your domain: the review loop"


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return [shlex.split(line, comments=True) for b in blocks for line in b.splitlines() if line.strip()]


def cli(args, cwd):
    assert args[0] == "closing-signal", args
    return subprocess.run([sys.executable, "-m", "closing_signal.cli", *args[1:]], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def answer_everything(a: Annotator, gold: dict) -> int:
    n = 0
    while (item := a.request("GET", "/api/next")[1]["item"]) is not None:
        label = gold.get(Path(item["source"]).name, item["guess"])
        assert a.request("POST", "/api/label", {"id": item["id"], "label": label})[0] == 200
        n += 1
    return n


def test_readme_review_loop_runs_as_written(tmp_path):
    (tmp_path / "data").symlink_to(ROOT / "data")
    gold = {json.loads(x)["file"]: json.loads(x)["label"]
            for x in (ROOT / "data" / "transcripts" / "gold.jsonl").read_text().splitlines()}
    commands = readme_commands()
    assert [c[1] for c in commands] == ["score", "review", "annotate", "train", "review", "review", "review", "review"]
    for args in commands:
        if args[1] == "annotate":
            try:  # as written, on its default port; any free port if that one is taken
                a = Annotator(None, None, args=args[1:], cwd=tmp_path)
            except AssertionError:
                a = Annotator(None, None, args=[*args[1:], "--port", "0"], cwd=tmp_path)
            answered = answer_everything(a, gold)
            a.proc.send_signal(signal.SIGINT)
            a.proc.communicate(timeout=10)
            assert answered == 20 and len((tmp_path / "labels.jsonl").read_text().splitlines()) == 20
            continue
        out = cli(args, tmp_path)
        assert out.returncode == 0, (args, out.stderr[-2000:])
        if args[1] == "train":
            assert "shipped model" in out.stdout and "new model" in out.stdout, out.stdout
    labeled = {json.loads(x)["text"] for x in (tmp_path / "labels.jsonl").read_text().splitlines()}
    second = [json.loads(x) for x in (tmp_path / "queue2.jsonl").read_text().splitlines()]
    assert len(second) == 10 and not labeled & {q["text"] for q in second}
    assert json.loads((tmp_path / "tasks.json").read_text())[0]["predictions"]
    assert (tmp_path / "queue.csv").read_text().startswith("id,text,label,guess")
