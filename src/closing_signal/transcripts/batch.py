"""Batch scoring: one result per file, in input order, errors as rows.

:func:`score_file` is the engine-agnostic core — one path in, one
:class:`TranscriptResult` out, never raising for a bad file, safe to retry —
that the local process pool here (and any distributed adapter) calls.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from itertools import islice
from pathlib import Path

from ..parallel import make_pool, submit
from .decode import display_name
from .scoring import TranscriptResult, plan_closing, score_plans
from .readers import SUFFIXES, read_transcript
from .types import TranscriptError

__all__ = ["score_file", "score_files", "score_transcripts", "iter_transcript_paths", "TRANSCRIPT_SUFFIXES"]

#: The file name endings a folder scan picks up (from the reader registry).
TRANSCRIPT_SUFFIXES = tuple(SUFFIXES)


def score_file(path: str | os.PathLike, model, *, candidate: str | None = None,
               format: str | None = None) -> TranscriptResult:
    """Score one transcript file; a file that cannot be scored gives a result
    with ``error`` set instead of raising."""
    return score_files([path], model, candidate=candidate, format=format)[0]


def score_files(paths: list[str | os.PathLike], model, *, candidate: str | None = None,
                format: str | None = None) -> list[TranscriptResult]:
    """:func:`score_file` for several files, their closings scored as one batch.
    One result per path, in order; a file that cannot be scored is an error row."""
    out: list[TranscriptResult | None] = []
    plans = []
    for path in paths:
        try:
            plans.append((len(out), plan_closing(read_transcript(path, format=format), candidate)))
            out.append(None)
        except Exception as e:  # noqa: BLE001 — see _error
            out.append(_error(display_name(path), e))
    try:
        for (i, _), result in zip(plans, score_plans([p for _, p in plans], model)):
            out[i] = result
    except Exception:  # noqa: BLE001 — one file's failure must not take the others: score each alone
        for i, plan in plans:
            try:
                out[i] = score_plans([plan], model)[0]
            except Exception as e:  # noqa: BLE001
                out[i] = _error(plan.t.source, e)
    return out


def _error(source: str, e: BaseException) -> TranscriptResult:
    if isinstance(e, TranscriptError):
        return TranscriptResult(source=source, label=None, error=str(e))
    if isinstance(e, (MemoryError, RecursionError)):
        return TranscriptResult(source=source, label=None, error=f"{source}: too large to score ({type(e).__name__})")
    # a batch must go on; the row says what happened
    return TranscriptResult(source=source, label=None, error=f"{source}: internal error {type(e).__name__}: {e}")


def iter_transcript_paths(inputs: Iterable[str | os.PathLike]) -> Iterator[str]:
    """Files named directly, and files with a transcript suffix under folders
    (recursively, sorted, hidden files skipped). A folder that cannot be
    listed is yielded itself, and a URL as written, so that each gets its
    error row instead of vanishing."""
    for item in inputs:
        p = Path(item)
        if "://" in str(item):
            yield str(item)  # not made a Path, which would turn "s3://b/k" into "s3:/b/k"
        elif not p.is_dir():
            yield str(p)
        else:
            found: list[Path] = []
            for top, dirs, files in os.walk(p, onerror=lambda e: found.append(Path(e.filename))):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found += [Path(top, f) for f in files
                          if not f.startswith(".") and Path(f).suffix.lower() in TRANSCRIPT_SUFFIXES]
            yield from map(str, sorted(found))


# -- worker processes -------------------------------------------------------
def _score_chunk(model, paths: list[str], *, candidate: str | None, format: str | None) -> list[TranscriptResult]:
    """A pool task (see :mod:`closing_signal.parallel`): ``model`` is the worker's."""
    return score_files(paths, model, candidate=candidate, format=format)


def score_transcripts(paths: Iterable[str | os.PathLike], n_jobs: int = 1, *, candidate: str | None = None,
                      format: str | None = None, model=None, chunk_size: int = 16) -> Iterator[TranscriptResult]:
    """Score many transcript files; one result per path, in input order.

    With ``n_jobs > 1`` files go, ``chunk_size`` at a time, to worker processes
    that each load the model once (or share it, forked). A worker that dies (a crash, the OOM killer) costs only the file it
    was scoring: it comes back as an error row and the pool is restarted.
    """
    # model imports spaCy: loaded only when transcripts are scored, not when they are read
    from ..model import load, worker_model, worker_model_arg

    model = model if model is not None else load()
    if n_jobs <= 1:
        it = iter(paths)
        while chunk := list(islice(it, chunk_size)):
            yield from score_files(chunk, model, candidate=candidate, format=format)
        return
    model_arg = worker_model_arg(model)
    task = partial(_score_chunk, candidate=candidate, format=format)
    pool = make_pool(n_jobs, worker_model, model_arg)
    pending: deque = deque()
    it = iter(paths)
    try:
        while True:
            while len(pending) < 4 * n_jobs:  # small tasks cost more in IPC than they save: send chunks
                chunk = [str(p) for p in islice(it, chunk_size)]
                if not chunk:
                    break
                pending.append((chunk, submit(pool, task, chunk)))
            if not pending:
                return
            chunk, fut = pending.popleft()
            try:
                yield from fut.result()
            except BrokenProcessPool:
                # find the file that kills a worker: rerun what was in flight one file at a time
                pool.shutdown(wait=True, cancel_futures=True)
                retry = chunk + [p for c, _ in pending for p in c]
                pending.clear()
                for p in retry:
                    solo = make_pool(1, worker_model, model_arg)
                    try:
                        yield from submit(solo, task, [p]).result()
                    except BrokenProcessPool:
                        name = display_name(p)
                        yield TranscriptResult(source=name, label=None,
                                               error=f"{name}: the worker process scoring this file died")
                    finally:
                        solo.shutdown(wait=True, cancel_futures=True)
                pool = make_pool(n_jobs, worker_model, model_arg)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
