"""Dask: results equal the single-process ones row for row; a dying worker loses no rows."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="Dask tests need the extra: pip install '.[dask]'")
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

from closing_signal.distributed import ModelPlugin, iter_scored, score_frame, score_paths, write_rows  # noqa: E402
from closing_signal.transcripts import score_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TDIR = ROOT / "data" / "transcripts"


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)
    c = Client(cluster)
    c.register_plugin(ModelPlugin())
    yield c
    c.close()
    cluster.close()


@pytest.fixture()
def files(tmp_path):
    paths = [str(p) for p in sorted(TDIR.glob("t*"))]
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "broken.json").write_text("[{")
    return paths + [str(tmp_path / "empty.txt"), str(tmp_path / "broken.json")]


def test_dataframe_scores_equal_single_process(client, model):
    texts = [json.loads(x)["text"] for x in (ROOT / "data" / "test.jsonl").read_text().splitlines()][:200]
    df = dd.from_pandas(pd.DataFrame({"id": range(len(texts)), "text": texts}), npartitions=4)
    out = score_frame(df).compute().sort_values("id")
    expected = list(model.predict_many(texts))
    assert out["label"].tolist() == [p.label.value for p in expected]
    assert out["p_interest"].tolist() == pytest.approx([p.probabilities["interest"] for p in expected], abs=1e-12)
    assert str(out["label"].dtype) == "string"


def test_transcript_rows_equal_single_process_including_errors(client, model, files, tmp_path):
    rows = sorted(score_paths(files, partition_size=5).compute(), key=lambda r: r["file"])
    local = sorted((score_file(p, model).to_row() for p in files), key=lambda r: r["file"])
    assert rows == local
    assert sum(r["error"] is not None for r in rows) == 2
    write_rows(score_paths(files, partition_size=5), str(tmp_path / "pq"), format="parquet")
    table = pd.read_parquet(tmp_path / "pq")
    assert len(table) == len(files) and table["error"].notna().sum() == 2


def test_cli_on_a_scheduler_gives_the_same_rows(client, files, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for p in files:
        shutil.copy(p, src)
    a, b = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    subprocess.run([sys.executable, "-m", "closing_signal.cli", "score", str(src), "--out", str(a)], cwd=ROOT)
    out = subprocess.run([sys.executable, "-m", "closing_signal.cli", "score", str(src), "--out", str(b),
                          "--scheduler", client.scheduler.address], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 1, out.stderr  # two files fail, as locally
    rows = lambda p: sorted((json.loads(x) for x in p.read_text().splitlines()), key=lambda r: r["file"])  # noqa: E731
    assert rows(a) == rows(b)
    again = subprocess.run([sys.executable, "-m", "closing_signal.cli", "score", str(src), "--out", str(b),
                            "--scheduler", client.scheduler.address, "--resume"], cwd=ROOT, capture_output=True,
                           text=True)
    assert again.returncode == 0 and "already in" in again.stderr and rows(b) == rows(a)


def test_a_killed_worker_loses_no_rows(client, tmp_path):
    src = tmp_path / "many"
    src.mkdir()
    for i in range(8):
        for f in sorted(TDIR.glob("t*")):
            shutil.copy(f, src / f"{i}_{f.name}")
    paths = sorted(str(p) for p in src.iterdir())
    pids = list(client.run(os.getpid).values())
    rows = []
    for row in iter_scored(client, paths, chunk=5):
        rows.append(row)
        if len(rows) == 20:
            os.kill(pids[0], 9)  # one worker process dies mid-job; the nanny restarts it
    assert sorted(r["file"] for r in rows) == paths


def test_main_package_works_without_dask():
    code = ("import sys; sys.modules['dask'] = None; sys.modules['distributed'] = None\n"
            "import closing_signal\n"
            "try:\n    import closing_signal.distributed\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'closing-signal[dask]'" in out.stdout


def test_url_paths_are_refused_even_with_fsspec_installed(model):
    """SECURITY.md: no network. fsspec is installed with Dask, yet a URL is never
    opened: reading it is a clear error, and in a batch an error row."""
    import fsspec

    from closing_signal.transcripts import TranscriptError, read_transcript

    fs = fsspec.filesystem("memory")
    fs.pipe("/bucket/talk.vtt", (TDIR / "t07_teams.vtt").read_bytes())
    with pytest.raises(TranscriptError, match="a URL"):
        read_transcript("memory://bucket/talk.vtt")
    row = score_file("memory://bucket/missing.vtt", model).to_row()
    assert row["error"] and "memory://bucket/missing.vtt" in row["error"] and "a URL" in row["error"]
