"""Saving and loading a model directory as data only — no pickle, no code.

A model directory holds:

* ``meta.json`` — format version, labels, temperature, settings, versions,
  training data hashes, metrics, and the sha256 of every other file;
* ``features.json`` — the feature names (the column order of the weights);
* ``coef.npy``, ``intercept.npy`` — float64 arrays, read with ``allow_pickle=False``;
* ``lexicon.json`` — the cue lexicon the model was trained with.

Loading checks the format version, every file's hash and every array's shape
before anything is used, and never opens a path taken from the metadata.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from pathlib import Path

import numpy as np

from .pipeline.lexicon import Lexicon
from .scoring import LinearScorer

__all__ = ["MODEL_FORMAT", "ModelFileError", "save_model", "load_model", "read_meta"]

MODEL_FORMAT = "closing_signal.model/1"
_FILES = ("features.json", "coef.npy", "intercept.npy", "lexicon.json")


class ModelFileError(ValueError):
    """A model directory is missing, damaged, tampered with or of another format."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array, dtype=np.float64), allow_pickle=False)
    return buf.getvalue()


def save_model(path: str | Path, scorer: LinearScorer, lexicon: Lexicon, *, settings: dict, info: dict | None = None) -> Path:
    """Write a model directory. Same inputs give byte-identical files."""
    from . import __version__

    path = Path(path)
    blobs = {
        "features.json": (json.dumps(scorer.features, ensure_ascii=False, indent=0) + "\n").encode("utf-8"),
        "coef.npy": _npy_bytes(scorer.coef),
        "intercept.npy": _npy_bytes(scorer.intercept),
        "lexicon.json": lexicon.to_json().encode("utf-8"),
    }
    meta = {
        "format": MODEL_FORMAT,
        "closing_signal_version": __version__,
        "labels": list(scorer.classes),
        "temperature": scorer.temperature,
        "n_features": len(scorer.features),
        "settings": settings,
        "files": {name: _sha256(data) for name, data in blobs.items()},
        **(info or {}),
    }
    path.mkdir(parents=True, exist_ok=True)
    for name, data in blobs.items():
        (path / name).write_bytes(data)
    (path / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_meta(path: str | Path) -> dict:
    """The checked ``meta.json`` of a model directory."""
    path = Path(path)
    meta_path = path / "meta.json"
    if not path.is_dir():
        raise ModelFileError(f"{path}: not a model directory")
    if not meta_path.is_file():
        raise ModelFileError(f"{meta_path}: missing (is {path} a closing_signal model directory?)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFileError(f"{meta_path}: not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise ModelFileError(f"{meta_path}: expected a JSON object")
    fmt = meta.get("format")
    if fmt != MODEL_FORMAT:
        raise ModelFileError(
            f"{meta_path}: model format {fmt!r} is not supported by this version of closing_signal "
            f"(expected {MODEL_FORMAT!r}, written by closing_signal {meta.get('closing_signal_version', '?')}); "
            "retrain the model with this version")
    files = meta.get("files")
    if not isinstance(files, dict) or set(files) != set(_FILES):
        raise ModelFileError(f"{meta_path}: 'files' must list exactly {', '.join(_FILES)}")
    return meta


def _read_checked(path: Path, name: str, meta: dict) -> bytes:
    file = path / name
    if file.is_symlink() or not file.is_file():
        raise ModelFileError(f"{file}: missing or not a regular file")
    data = file.read_bytes()
    if _sha256(data) != meta["files"][name]:
        raise ModelFileError(f"{file}: contents do not match the sha256 recorded in meta.json (damaged or tampered)")
    return data


def _array(path: Path, name: str, meta: dict) -> np.ndarray:
    data = _read_checked(path, name, meta)
    try:
        arr = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as e:
        raise ModelFileError(f"{path / name}: not a plain numeric array ({e})") from None
    if arr.dtype != np.float64 or not np.all(np.isfinite(arr)):
        raise ModelFileError(f"{path / name}: expected finite float64 values")
    return arr


def load_model(path: str | Path) -> tuple[LinearScorer, Lexicon, dict]:
    """Read and check a model directory written by :func:`save_model`."""
    path = Path(path)
    meta = read_meta(path)
    labels = meta.get("labels")
    if not (isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels)):
        raise ModelFileError(f"{path / 'meta.json'}: 'labels' must be a list of strings")
    try:
        features = json.loads(_read_checked(path, "features.json", meta).decode("utf-8"))
        lexicon_data = json.loads(_read_checked(path, "lexicon.json", meta).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFileError(f"{path}: unreadable JSON file ({e})") from None
    if not (isinstance(features, list) and all(isinstance(f, str) for f in features)):
        raise ModelFileError(f"{path / 'features.json'}: expected a list of strings")
    coef = _array(path, "coef.npy", meta)
    intercept = _array(path, "intercept.npy", meta)
    if coef.shape != (len(labels), len(features)):
        raise ModelFileError(f"{path / 'coef.npy'}: shape {coef.shape} does not match "
                             f"{len(labels)} labels x {len(features)} features")
    if intercept.shape != (len(labels),):
        raise ModelFileError(f"{path / 'intercept.npy'}: shape {intercept.shape}, expected ({len(labels)},)")
    temperature = meta.get("temperature")
    if not isinstance(temperature, (int, float)) or not math.isfinite(temperature) or temperature <= 0:
        raise ModelFileError(f"{path / 'meta.json'}: 'temperature' must be a positive number")
    try:
        lexicon = Lexicon(lexicon_data)
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise ModelFileError(f"{path / 'lexicon.json'}: not a valid lexicon ({e!r})") from None
    scorer = LinearScorer(tuple(labels), features, coef, intercept, float(temperature))
    return scorer, lexicon, meta
