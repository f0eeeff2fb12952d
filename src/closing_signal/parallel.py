"""A worker pool for ``Model.predict_many(n_process > 1)``.

spaCy's own ``nlp.pipe(n_process=2)`` sends every Doc back to the parent,
which on short texts is many times slower than one process. Here each worker
loads the model once, receives chunks of texts and returns only an array of
probabilities per chunk.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

__all__ = ["imap_chunks"]

# Per worker process only (never set in the parent): the model this worker uses.
_worker = {}


def resolve_model(arg):
    """In a worker: ``arg`` is the parent's Model (inherited by a forked worker) or a path to load."""
    if isinstance(arg, str):
        from .model import Model

        return Model.from_disk(arg)
    return arg


def _init(model_arg) -> None:
    _worker["model"] = resolve_model(model_arg)


def _run(texts: list[str]):
    return _worker["model"]._probabilities(texts)


def make_pool(n_process: int, initializer, initargs: tuple) -> ProcessPoolExecutor:
    """A process pool started the way :func:`start_method` says."""
    return ProcessPoolExecutor(max_workers=n_process, mp_context=mp.get_context(start_method()),
                               initializer=initializer, initargs=initargs)


def start_method() -> str:
    """``fork`` on Linux — workers start at once and share the loaded model
    copy-on-write — else ``forkserver`` or ``spawn`` (workers load the model
    from its directory)."""
    methods = mp.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def worker_model_arg(model):
    """What a worker's initializer gets: the model itself under ``fork``, else a path to load."""
    if start_method() == "fork":
        return model
    if model.path is None:  # an in-memory model: write it once, removed with the model
        import shutil
        import tempfile
        import weakref
        from pathlib import Path

        tmp = tempfile.mkdtemp(prefix="closing_signal-")
        model.path = model.to_disk(Path(tmp) / "model")
        weakref.finalize(model, shutil.rmtree, tmp, True)
    return str(model.path)


def imap_chunks(model, chunks: Iterable[list[str]], n_process: int) -> Iterator[tuple[list[str], object]]:
    """``(chunk, probabilities)`` for each chunk, in order, with at most
    ``2 * n_process`` chunks in flight."""
    with make_pool(n_process, _init, (worker_model_arg(model),)) as pool:
        pending: deque = deque()
        it = iter(chunks)
        for chunk in it:
            pending.append((chunk, pool.submit(_run, chunk)))
            if len(pending) >= 2 * n_process:
                chunk, future = pending.popleft()
                yield chunk, future.result()
        while pending:
            chunk, future = pending.popleft()
            yield chunk, future.result()
