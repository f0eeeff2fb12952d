"""Scoring on a Dask cluster — ``pip install 'closing-signal[dask]'``.

* :func:`score_frame` — a Dask DataFrame with a text column → the same frame
  with ``label`` and ``p_interest`` / ``p_ambiguous`` / ``p_disinterest``;
* :func:`score_paths` — local transcript paths (URLs are refused: no network) → a Bag
  of result rows, one per file, error rows included; :func:`write_rows` writes
  them as JSONL or Parquet partitions;
* :func:`iter_scored` — futures-based scoring used by ``closing-signal score
  --scheduler``: rows come back as they finish; tasks of a worker that dies are
  re-run elsewhere by Dask.

Each worker loads the model once, into the per-process cache of
:func:`closing_signal.model.worker_model` (the one the local pools use): when
it starts if :class:`ModelPlugin` is registered
(``client.register_plugin(ModelPlugin(path))``), else the first time a task
needs it. Nothing pickles the model
into tasks; tasks carry only a model *path* (``None`` = the model installed
with the package on the worker). Every file goes through
:func:`closing_signal.transcripts.score_file`, the same engine-agnostic core
the local ``--jobs`` path uses, so a retried task gives the same row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

try:
    import dask.bag as db
    import pandas as pd
    from distributed import WorkerPlugin, as_completed
except ImportError as e:  # pragma: no cover - exercised in a subprocess test
    raise ImportError("closing_signal.distributed needs Dask: pip install 'closing-signal[dask]' "
                      f"({e.name} is missing)") from None

from .frames import score_frame
from .model import worker_model
from .transcripts.batch import score_files
from .transcripts.scoring import ROW_SCHEMA

__all__ = ["ModelPlugin", "score_frame", "score_paths", "write_rows", "iter_scored", "worker_model"]


class ModelPlugin(WorkerPlugin):
    """Loads the model once when a worker starts (and on workers that join
    later), into the process's model cache (:func:`worker_model`)."""

    name = "closing-signal-model"

    def __init__(self, model_path: str | None = None):
        self.model_path = None if model_path is None else str(model_path)
        self.model = None

    def setup(self, worker) -> None:
        self.model = worker_model(self.model_path)

    def teardown(self, worker) -> None:
        self.model = None


def _score_files(paths: Iterable[str], model_path: str | None, candidate: str | None, format: str | None) -> list:
    model = worker_model(model_path)
    return [r.to_row() for r in score_files(list(paths), model, candidate=candidate, format=format)]


def score_paths(paths, *, model_path: str | None = None, candidate: str | None = None, format: str | None = None,
                partition_size: int = 50):
    """A Bag of result rows, one per transcript path (a list or a Bag of paths)."""
    bag = paths if isinstance(paths, db.Bag) else db.from_sequence([str(p) for p in paths],
                                                                    partition_size=partition_size)
    mp = None if model_path is None else str(model_path)
    return bag.map_partitions(_score_files, mp, candidate, format)


# the Parquet column types of a result row (dicts and lists are written as JSON)
_DTYPE_OF = {"str": "string", "dict": "string", "list": "string", "int": "Int64", "float": "float64"}
_ROW_DTYPES = {k: _DTYPE_OF[kind] for k, kind in ROW_SCHEMA.items()}


def _flat(row: dict) -> dict:
    return {k: json.dumps(row[k], ensure_ascii=False) if isinstance(row.get(k), (dict, list)) else row.get(k)
            for k in _ROW_DTYPES}


def write_rows(rows, path: str, *, format: str = "jsonl"):
    """Write a Bag of rows as ``jsonl`` part files or a ``parquet`` dataset at ``path``."""
    if format == "jsonl":
        return rows.map(lambda r: json.dumps(r, ensure_ascii=False)).to_textfiles(f"{path.rstrip('/')}/part-*.jsonl")
    if format == "parquet":
        df = rows.map(_flat).to_dataframe(meta=pd.DataFrame({k: pd.Series(dtype=v) for k, v in _ROW_DTYPES.items()}))
        return df.to_parquet(path, write_index=False)
    raise ValueError(f"format must be 'jsonl' or 'parquet', got {format!r}")


def iter_scored(client, paths: list[str], *, model_path: str | None = None, candidate: str | None = None,
                format: str | None = None, chunk: int = 20, retries: int = 3) -> Iterator[dict]:
    """Rows for ``paths`` as their tasks finish (not in input order)."""
    mp = None if model_path is None else str(model_path)
    futures = [client.submit(_score_files, paths[i:i + chunk], mp, candidate, format, retries=retries, pure=False)
               for i in range(0, len(paths), chunk)]
    for fut in as_completed(futures):
        yield from fut.result()
        fut.release()
