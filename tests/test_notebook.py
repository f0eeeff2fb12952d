"""The walkthrough notebook runs top to bottom (so it cannot rot)."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="notebook test needs the test extra: pip install '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="notebook test needs the test extra: pip install '.[test]'")

ROOT = Path(__file__).resolve().parents[1]


def test_walkthrough_notebook_executes():
    nb = nbformat.read(ROOT / "notebooks" / "walkthrough.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "retrained" in outputs and "t01_plain_nurse.txt" in outputs
