"""Never destroy what is not ours: the checks every writer of an output path makes.

A path the program writes to (``score --out``, ``train --out``) may already
exist. It is replaced only when it is plainly a closing_signal output — a
result file with our header, a model directory with our files only — or when
the user says ``force``. An output is never one of the inputs, even with force.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["OverwriteError", "check_not_input", "check_replaceable", "replace_dir", "MODEL_FILES"]

#: Every file a model directory written by closing_signal holds.
MODEL_FILES = frozenset({"meta.json", "features.json", "coef.npy", "intercept.npy", "lexicon.json", "README.md"})


class OverwriteError(FileExistsError):
    """An output path holds something the program did not write."""


def check_not_input(out: str | Path, inputs: Iterable[str | Path]) -> None:
    """Raise :class:`OverwriteError` if ``out`` is one of ``inputs`` (force does not lift this)."""
    out = Path(out)
    if not out.exists():
        return
    for p in inputs:
        try:
            same = Path(p).exists() and os.path.samefile(p, out)
        except OSError:
            same = False
        if same:
            raise OverwriteError(f"{out}: the output is also an input; choose another --out")


def _is_model_dir(path: Path) -> bool:
    """An empty folder, or one that holds only the files of a closing_signal model."""
    try:
        names = {e.name for e in os.scandir(path)}
    except OSError:
        return False
    if not names:
        return True
    if not names <= MODEL_FILES or "meta.json" not in names:
        return False
    try:
        head = (path / "meta.json").read_bytes()[:1_000_000]
    except OSError:
        return False
    return b'"format": "closing_signal.model/' in head


def check_replaceable(out: str | Path, *, force: bool = False) -> None:
    """Raise :class:`OverwriteError` unless ``out`` is free, empty, a closing_signal
    model directory, or ``force`` is true (called before any work, and again at the swap)."""
    out = Path(out)
    if force or not os.path.lexists(out) or (out.is_dir() and not out.is_symlink() and _is_model_dir(out)):
        return
    what = "a folder that is not a closing_signal model" if out.is_dir() else "a file"
    raise OverwriteError(f"{out} exists and is {what}; it was left as it is. "
                         "Choose another --out, or pass --force (force=True) to replace it")


def replace_dir(tmp: Path, out: Path, *, force: bool = False) -> None:
    """Move the finished folder ``tmp`` to ``out``.

    An existing ``out`` is replaced only if it is a closing_signal model
    directory (or empty), or ``force`` is true; otherwise
    :class:`OverwriteError` says how to force it. The swap is two renames, so
    ``out`` is at every moment either the old or the new folder.
    """
    if not os.path.lexists(out):
        os.replace(tmp, out)
        return
    check_replaceable(out, force=force)
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old = aside / "old"
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        os.replace(old, out)
        aside.rmdir()
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old)
    else:
        old.unlink()
    aside.rmdir()
