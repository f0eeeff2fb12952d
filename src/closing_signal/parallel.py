"""A generic chunked process pool: each worker gets its state (a model) once
and runs ``fn(state, chunk)`` on chunks of work.

``Model.predict_many(n_process > 1)`` sends chunks of texts and gets back
only probability arrays; ``score_transcripts(n_jobs > 1)`` sends chunks of
paths and gets back results. Both give the pool
:func:`closing_signal.model.worker_model` as the loader, so a worker has one
model per process whichever way it is used (the Dask adapter uses the same
function). spaCy's own ``nlp.pipe(n_process=2)`` sends every Doc back to the
parent, which on short texts is many times slower than one process.

This module knows nothing of models: it imports nothing from the package.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["make_pool", "submit", "imap_chunks", "start_method"]

# Per worker process of a pool (never set in the parent): the state its loader made.
_POOL: dict = {}


def start_method() -> str:
    """``fork`` on Linux — workers start at once and share the loaded model
    copy-on-write — else ``forkserver`` or ``spawn`` (workers load the model
    from its directory)."""
    methods = mp.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _init(load: Callable, arg) -> None:
    _POOL["state"] = load(arg)


def _task(fn: Callable, chunk):
    return fn(_POOL["state"], chunk)


def make_pool(n_process: int, load: Callable, arg) -> ProcessPoolExecutor:
    """A pool of ``n_process`` workers started the way :func:`start_method`
    says; each runs ``load(arg)`` once when it starts (``load`` must pickle: a
    module-level function; under ``fork`` ``arg`` is inherited, not pickled)."""
    return ProcessPoolExecutor(max_workers=n_process, mp_context=mp.get_context(start_method()),
                               initializer=_init, initargs=(load, arg))


def submit(pool: ProcessPoolExecutor, fn: Callable, chunk) -> Future:
    """Run ``fn(state, chunk)`` in one of ``pool``'s workers (``fn`` must pickle)."""
    return pool.submit(_task, fn, chunk)


def imap_chunks(chunks: Iterable, n_process: int, fn: Callable, load: Callable, arg) -> Iterator[tuple[object, object]]:
    """``(chunk, fn(state, chunk))`` for each chunk, in order, computed in
    ``n_process`` workers (state: ``load(arg)``, once per worker) with at
    most ``2 * n_process`` chunks in flight."""
    with make_pool(n_process, load, arg) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append((chunk, submit(pool, fn, chunk)))
            if len(pending) >= 2 * n_process:
                chunk, future = pending.popleft()
                yield chunk, future.result()
        while pending:
            chunk, future = pending.popleft()
            yield chunk, future.result()
