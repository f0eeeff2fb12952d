"""Saving and loading a model directory as data only — no pickle, no code.

A model directory holds:

* ``meta.json`` — format version, labels, temperature, settings, versions,
  training data hashes, metrics, and the sha256 of every other file;
* ``features.json`` — the feature names (the column order of the weights);
* ``coef.npy``, ``intercept.npy`` — float64 arrays, read with ``allow_pickle=False``;
* ``lexicon.json`` — the cue lexicon the model was trained with.

Loading checks the format version, every file's hash and every array's shape
before anything is used, and never opens a path taken from the metadata.
Every file must be a regular file (not a link); its size is checked against
what ``meta.json`` says before it is read, an array's ``.npy`` header before
its data, and the data is hashed as it is read, in bounded chunks. Labels,
temperature and weights must be those of a working model. Anything else is a
:class:`ModelFileError` naming the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import stat
from pathlib import Path

import numpy as np
from numpy.lib import format as npy

from .analysis.lexicon import Lexicon
from .labels import LABELS
from .scoring import LinearScorer
from .version import __version__

__all__ = ["MODEL_FORMAT", "ModelFileError", "save_model", "load_model", "read_meta", "labels_problem"]

MODEL_FORMAT = "closing_signal.model/1"
_FILES = ("features.json", "coef.npy", "intercept.npy", "lexicon.json")
#: Bounds of a loadable model: features, JSON file sizes, the bytes before a
#: ``.npy`` array's data, the temperature and the absolute weights. Within them
#: every logit / temperature is finite, so every probability is.
MAX_FEATURES = 10_000_000
_MAX_JSON = {"meta.json": 16 << 20, "features.json": 256 << 20, "lexicon.json": 16 << 20}
_NPY_HEADER = 4096
TEMPERATURES = (1e-3, 1e3)
MAX_WEIGHT = 1e6
_CHUNK = 1 << 20
_LEXICON_LISTS = ("negators", "fillers", "filler_phrases", "clause_breakers")


class ModelFileError(ValueError):
    """A model directory is missing, damaged, tampered with or of another format."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array, dtype=np.float64), allow_pickle=False)
    return buf.getvalue()


def labels_problem(labels) -> str | None:
    """Why ``labels`` are not those of a closing_signal model (``None``: they are)."""
    if not isinstance(labels, (list, tuple)) or not all(isinstance(x, str) for x in labels):
        return "labels must be a list of strings"
    if len(labels) != len(LABELS) or set(labels) != set(LABELS):
        missing = [x for x in LABELS if x not in labels]
        return (f"labels are {list(labels)}; a closing_signal model has each of {', '.join(LABELS)} once"
                + (f" (no examples of {', '.join(missing)}: add some and train again)" if missing else ""))
    return None


def _temperature_problem(t) -> str | None:
    lo, hi = TEMPERATURES
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not lo <= t <= hi:  # NaN fails too
        return f"'temperature' must be a number in [{lo:g}, {hi:g}], got {str(t)[:50]}"
    return None


def _weights_problem(a: np.ndarray) -> str | None:
    if a.size and not (np.isfinite(a).all() and np.abs(a).max() <= MAX_WEIGHT):
        return f"weights must be finite and at most {MAX_WEIGHT:g} in absolute value"
    return None


def save_model(path: str | Path, scorer: LinearScorer, lexicon: Lexicon, *, settings: dict, info: dict | None = None) -> Path:
    """Write a model directory. Same inputs give byte-identical files.
    ``ValueError`` for a model :func:`load_model` would refuse (e.g. one
    trained without examples of one of the three labels); nothing is written then."""
    problem = (labels_problem(list(scorer.classes)) or _temperature_problem(scorer.temperature)
               or _weights_problem(scorer.coef) or _weights_problem(scorer.intercept)
               or (None if isinstance(settings, dict) else "settings must be a dict"))
    if problem:
        raise ValueError(f"cannot save this model to {path}: {problem}")
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


def _open(file: Path, limit: int, bound: str):
    """``file`` opened for reading, if it is a regular file (not a link) of at
    most ``limit`` bytes (``bound`` says why); and its size."""
    if file.is_symlink():
        raise ModelFileError(f"{file}: a symbolic link; model files must be regular files inside the directory")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(file, flags)
    except FileNotFoundError:
        raise ModelFileError(f"{file}: missing") from None
    except OSError as e:
        raise ModelFileError(f"{file}: cannot be opened ({e.strerror})") from None
    f = os.fdopen(fd, "rb")
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
        f.close()
        raise ModelFileError(f"{file}: " + ("not a regular file" if not stat.S_ISREG(st.st_mode) else
                                            f"{st.st_size} bytes, more than {limit} ({bound})"))
    return f, st.st_size


def _json(file: Path, expected_sha: str | None = None):
    """The parsed JSON of ``file`` (its hash checked first if ``expected_sha``)."""
    limit = _MAX_JSON[file.name]
    f, _ = _open(file, limit, f"the most a model's {file.name} may have")
    with f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ModelFileError(f"{file}: more than {limit} bytes")
    if expected_sha is not None and _sha256(data) != expected_sha:
        raise ModelFileError(f"{file}: contents do not match the sha256 recorded in meta.json (damaged or tampered)")
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as e:  # bad UTF-8 or JSON, a 5000-digit number, nesting past the limit
        raise ModelFileError(f"{file}: not valid JSON ({type(e).__name__}: {str(e)[:200]})") from None


def read_meta(path: str | Path) -> dict:
    """The checked ``meta.json`` of a model directory."""
    path = Path(path)
    meta_path = path / "meta.json"
    if not path.is_dir():
        raise ModelFileError(f"{path}: not a model directory")
    if not meta_path.exists() and not meta_path.is_symlink():
        raise ModelFileError(f"{meta_path}: missing (is {path} a closing_signal model directory?)")
    meta = _json(meta_path)
    if not isinstance(meta, dict):
        raise ModelFileError(f"{meta_path}: expected a JSON object")
    fmt = meta.get("format")
    if fmt != MODEL_FORMAT:
        version = str(meta.get("closing_signal_version", "?"))[:100]
        raise ModelFileError(
            f"{meta_path}: model format {str(fmt)[:100]!r} is not supported by this version of closing_signal "
            f"(expected {MODEL_FORMAT!r}, written by closing_signal {version}); retrain the model with this version")
    files = meta.get("files")
    if not isinstance(files, dict) or set(files) != set(_FILES):
        raise ModelFileError(f"{meta_path}: 'files' must list exactly {', '.join(_FILES)}")
    if not all(isinstance(h, str) and len(h) == 64 and all(c in "0123456789abcdef" for c in h) for h in files.values()):
        raise ModelFileError(f"{meta_path}: 'files' must give each file's sha256 as 64 hex digits")
    return meta


class _Header:
    """Reads a ``.npy`` header from ``f``, at most ``_NPY_HEADER`` bytes, hashing what it reads."""

    def __init__(self, f, sha):
        self.f, self.sha, self.n = f, sha, 0

    def read(self, size: int = -1) -> bytes:
        if size < 0 or self.n + size > _NPY_HEADER:
            raise ValueError(f"header longer than {_NPY_HEADER} bytes")
        data = self.f.read(size)
        self.sha.update(data)
        self.n += len(data)
        return data


def _array(path: Path, name: str, meta: dict, shape: tuple[int, ...]) -> np.ndarray:
    """The float64 array in ``name``: size, header, dtype and shape checked
    before its data is read; the data read and hashed in bounded chunks."""
    file = path / name
    nbytes = 8 * math.prod(shape)
    f, size = _open(file, _NPY_HEADER + nbytes, _npy_bound(shape))
    with f:
        sha = hashlib.sha256()
        head = _Header(f, sha)
        try:
            version = npy.read_magic(head)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f"format version {version} (expected 1.0 or 2.0)")
            read = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            got, fortran, dtype = read(head, max_header_size=_NPY_HEADER)
        except Exception as e:  # numpy raises ValueError; a hostile header can make its parser raise others
            raise ModelFileError(f"{file}: not a plain .npy array ({type(e).__name__}: {str(e)[:200]})") from None
        if dtype.kind != "f" or dtype.itemsize != 8:
            raise ModelFileError(f"{file}: dtype {dtype}, expected float64")
        if got != shape:
            raise ModelFileError(f"{file}: shape {got} does not match {shape} "
                                 f"({'labels x n_features' if len(shape) == 2 else 'labels'} in meta.json)")
        if size != head.n + nbytes:
            raise ModelFileError(f"{file}: {size} bytes, expected {head.n + nbytes} for a {shape} float64 array")
        buf = bytearray(nbytes)
        view, pos = memoryview(buf), 0
        while pos < nbytes:
            n = f.readinto(view[pos:pos + _CHUNK])
            if not n:
                raise ModelFileError(f"{file}: truncated ({head.n + pos} of {size} bytes)")
            sha.update(view[pos:pos + n])
            pos += n
        if f.read(1):
            raise ModelFileError(f"{file}: longer than its header says (changed while read?)")
    if sha.hexdigest() != meta["files"][name]:
        raise ModelFileError(f"{file}: contents do not match the sha256 recorded in meta.json (damaged or tampered)")
    arr = np.frombuffer(buf, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return arr.astype(np.float64, copy=False)


def _npy_bound(shape: tuple[int, ...]) -> str:
    return f"{' x '.join(map(str, shape))} float64 values as meta.json says, and a .npy header"


def _check_lexicon(data, file: Path) -> None:
    def strings(x) -> bool:
        return isinstance(x, list) and all(isinstance(s, str) for s in x)

    if not isinstance(data, dict):
        raise ModelFileError(f"{file}: expected a JSON object")
    cues = data.get("cues")
    if not (isinstance(cues, dict) and all(strings(v) for v in cues.values())):
        raise ModelFileError(f"{file}: 'cues' must map each cue type to a list of phrases")
    for key in _LEXICON_LISTS:
        if not strings(data.get(key)):
            raise ModelFileError(f"{file}: {key!r} must be a list of strings")
    spellings = data.get("spellings")
    if not (isinstance(spellings, dict) and all(isinstance(v, str) for v in spellings.values())):
        raise ModelFileError(f"{file}: 'spellings' must map words to strings")


def load_model(path: str | Path) -> tuple[LinearScorer, Lexicon, dict]:
    """Read and check a model directory written by :func:`save_model`."""
    path = Path(path)
    meta = read_meta(path)
    meta_path = path / "meta.json"
    labels = meta.get("labels")
    problem = labels_problem(labels)
    if problem:
        raise ModelFileError(f"{meta_path}: {problem}")
    n = meta.get("n_features")
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_FEATURES:
        raise ModelFileError(f"{meta_path}: 'n_features' must be an integer in [0, {MAX_FEATURES}], got {str(n)[:50]}")
    settings = meta.get("settings", {})
    if not isinstance(settings, dict) or not all(isinstance(settings.get(k, True), bool)
                                                 for k in ("bigrams", "stance_words")):
        raise ModelFileError(f"{meta_path}: 'settings' must be a JSON object whose 'bigrams' and 'stance_words' "
                             "are true or false")
    problem = _temperature_problem(meta.get("temperature"))
    if problem:
        raise ModelFileError(f"{meta_path}: {problem}")
    shapes = {"coef.npy": (len(labels), n), "intercept.npy": (len(labels),)}
    for name in _FILES:  # every file's size against what meta.json says, before any is read
        if name in shapes:
            _open(path / name, _NPY_HEADER + 8 * math.prod(shapes[name]), _npy_bound(shapes[name]))[0].close()
        else:
            _open(path / name, _MAX_JSON[name], f"the most a model's {name} may have")[0].close()
    features = _json(path / "features.json", meta["files"]["features.json"])
    if not (isinstance(features, list) and all(isinstance(f, str) for f in features)):
        raise ModelFileError(f"{path / 'features.json'}: expected a list of strings")
    if len(features) != n or len(set(features)) != n:
        raise ModelFileError(f"{path / 'features.json'}: expected {n} distinct feature names (n_features in "
                             f"meta.json), got {len(features)} names, {len(set(features))} distinct")
    lexicon_data = _json(path / "lexicon.json", meta["files"]["lexicon.json"])
    _check_lexicon(lexicon_data, path / "lexicon.json")
    try:
        lexicon = Lexicon(lexicon_data)
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as e:
        raise ModelFileError(f"{path / 'lexicon.json'}: not a valid lexicon ({e!r})") from None
    coef, intercept = (_array(path, name, meta, shapes[name]) for name in ("coef.npy", "intercept.npy"))
    for name, a in (("coef.npy", coef), ("intercept.npy", intercept)):
        problem = _weights_problem(a)
        if problem:
            raise ModelFileError(f"{path / name}: {problem}")
    scorer = LinearScorer(tuple(labels), features, coef, intercept, float(meta["temperature"]))
    return scorer, lexicon, meta
