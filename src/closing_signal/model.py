"""``Model``: the loaded classifier behind ``closing_signal.load()``."""

from __future__ import annotations

import shutil
import tempfile
import warnings
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from functools import partial
from itertools import islice
from pathlib import Path

from spacy.language import Language

from .labels import LABELS, Label
from .parallel import imap_chunks, start_method
from .pipeline.build import make_pipeline
from .pipeline.component import ClosingSignalComponent, default_model_path
from .prediction import Evidence, Prediction
from .text import check_text, clip

__all__ = ["Model", "PredictedBatch", "load", "probabilities", "worker_model", "worker_model_arg", "ZoneRotation"]


def load(path: str | Path | None = None) -> Model:
    """Load a model: the shipped default, or a directory written by
    ``Model.to_disk`` / ``closing-signal train``.

    Loading reads JSON and ``.npy`` arrays only, after checking their hashes;
    it never unpickles or runs code from the directory.

    >>> model = load()
    >>> model.predict("I'd love to move forward. What are the next steps?").label
    <Label.INTEREST: 'interest'>
    """
    return Model.from_disk(default_model_path() if path is None else path)


class Model:
    """Labels closings with a spaCy pipeline (``model.nlp``) whose last
    component, ``closing_signal``, writes ``doc.cats``. A batch is tokenized
    by ``model.nlp`` and scored by that component's ``score_docs`` — the
    method ``nlp(text)`` uses too, so ``predict(t).probabilities == nlp(t).cats``.

    Thread-safe: one model may serve many threads (``predict``,
    ``predict_many``, evidence read later, ``model.nlp(text)``). Each batch
    is tokenized, analysed and scored under the component's ``lock``, and a
    spaCy memory zone is only open while that lock is held; ``model.nlp``
    tokenizes under it too (a text tokenized while another thread's zone is
    open would get words the zone frees)."""

    def __init__(self, nlp: Language, *, path: str | Path | None = None):
        if "closing_signal" not in nlp.pipe_names:
            raise ValueError("nlp has no 'closing_signal' component")
        self.nlp = nlp
        self.path = Path(path) if path is not None else None
        hook = nlp.__dict__.get("make_doc")
        if not (isinstance(hook, _LockedMakeDoc) and hook.component is self.component):
            nlp.make_doc = _LockedMakeDoc(nlp, self.component)

    @classmethod
    def from_disk(cls, path: str | Path) -> Model:
        return cls(make_pipeline(Path(path), write_spans=False), path=path)

    @property
    def component(self) -> ClosingSignalComponent:
        return self.nlp.get_pipe("closing_signal")

    @property
    def labels(self) -> tuple[str, ...]:
        return self.component.labels

    @property
    def meta(self) -> dict:
        """The model card data: versions, settings, data hashes, metrics."""
        return dict(self.component.meta)

    def to_disk(self, path: str | Path) -> Path:
        """Write the model directory (safe format, see :mod:`closing_signal.persistence`)."""
        self.component.to_disk(path)
        return Path(path)

    # -- prediction -------------------------------------------------------
    def predict(self, text: str) -> Prediction:
        """Label one closing. ``TypeError`` if ``text`` is not a ``str``;
        empty or whitespace-only text is ``ambiguous`` (nothing was said).
        Only the last ``closing_signal.text.MAX_CHARS`` characters of a longer
        text are read: the stance that counts is the final one."""
        return self._batch([check_text(text)], evidence=True).predictions[0]

    def predict_many(self, texts: Iterable[str], *, batch_size: int = 1000, n_process: int = 1) -> Iterator[Prediction]:
        """Predictions for ``texts``, lazily and in input order.

        ``texts`` may be any iterable (a generator of millions is fine:
        memory stays flat). With ``n_process > 1`` chunks of ``batch_size``
        texts go to a pool of worker processes that each load the model once
        and send back only probabilities. A prediction's ``evidence`` is
        computed when it is first read (the same words :meth:`predict` gives).
        """
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if not isinstance(n_process, int) or n_process < 1:
            raise ValueError(f"n_process must be a positive int, got {n_process!r}")
        if isinstance(texts, str):
            raise TypeError("texts must be an iterable of str, not a str; use predict() for one text")
        chunks = self._checked_chunks(texts, batch_size)
        if n_process == 1:
            for chunk in chunks:
                yield from self._batch(chunk).predictions
            return
        for chunk, probs in imap_chunks(chunks, n_process, probabilities, worker_model, worker_model_arg(self)):
            yield from PredictedBatch(self, chunk, probs).predictions

    def predict_batch(self, texts: Sequence[str], *, evidence: bool = True, cue_types: bool = False) -> PredictedBatch:
        """Score ``texts`` as one batch (tokenized and analysed once): the
        predictions, the probability array, and with ``cue_types=True`` the
        cue types found in each text. ``evidence=False`` computes evidence
        only when a prediction's ``evidence`` is first read.

        The one batch path behind :meth:`predict`, :meth:`predict_many`, the
        worker pools, transcript scoring and Dask."""
        if isinstance(texts, str):
            raise TypeError("texts must be a sequence of str, not a str; use predict() for one text")
        return self._batch([check_text(t, where=f"texts[{i}]") for i, t in enumerate(texts)],
                           evidence=evidence, cue_types=cue_types)

    @staticmethod
    def _checked_chunks(texts: Iterable[str], batch_size: int) -> Iterator[list[str]]:
        it = iter(texts)
        offset = 0
        while chunk := list(islice(it, batch_size)):
            for i, t in enumerate(chunk):
                chunk[i] = check_text(t, where=f"texts[{offset + i}]")
            offset += len(chunk)
            yield chunk

    #: The first WARM texts a model reads build spaCy's permanent vocabulary
    #: (inside a memory zone every word would be created anew each time it is
    #: seen, ~5x slower). After that, each batch is read in a memory zone that
    #: frees the words it saw first, so memory stays flat.
    WARM = 20_000
    _seen = 0

    def _batch(self, texts: list[str], *, evidence: bool = False, cue_types: bool = False) -> PredictedBatch:
        """:meth:`predict_batch` of texts already checked."""
        comp = self.component
        with comp.lock:
            with self.nlp.memory_zone() if self._seen >= self.WARM else nullcontext():
                self._seen += len(texts)
                clipped = [clip(t) for t in texts]
                # each Doc is read into the batch analysis as it is made, and not kept
                if any(n not in _OURS for n in self.nlp.pipe_names):
                    docs = self.nlp.pipe([c for c, _ in clipped], disable=[n for n in self.nlp.pipe_names if n in _OURS])
                else:  # no other component: nlp.pipe would only call make_doc on each text (~8% of the time)
                    make_doc, nlp = type(self.nlp).make_doc, self.nlp
                    docs = (make_doc(nlp, c) for c, _ in clipped)
                scores = comp.score_docs(docs)
            probs = scores.probabilities
            ev = None
            if evidence:
                ev = [tuple(e) for e in comp.evidence(scores.features, scores.columns, [c for c, _ in clipped],
                                                      probs.argmax(axis=1).tolist(), [o for _, o in clipped])]
            cues = comp.cue_types(scores.analysis) if cue_types else None
        return PredictedBatch(self, texts, probs, ev, cues)


class PredictedBatch:
    """What :meth:`Model.predict_batch` returns for a batch of texts.

    ``probabilities`` is an ``(n, 3)`` float64 array with columns in the
    order of ``model.labels``; ``predictions`` the :class:`Prediction` of
    each text (made on first read); ``cue_types`` the cue types found in
    each text (``None`` unless asked for)."""

    __slots__ = ("model", "texts", "probabilities", "evidence", "cue_types", "_predictions")

    def __init__(self, model: Model, texts: list[str], probabilities, evidence: list | None = None,
                 cue_types: list[frozenset[str]] | None = None):
        self.model, self.texts, self.probabilities = model, texts, probabilities
        self.evidence, self.cue_types, self._predictions = evidence, cue_types, None

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def predictions(self) -> list[Prediction]:
        if self._predictions is None:
            model, probs, texts = self.model, self.probabilities, self.texts
            classes = model.labels
            perm = [classes.index(k) for k in LABELS]
            label_of = [Label(c) for c in classes]
            labels = [label_of[j] for j in probs.argmax(axis=1).tolist()]
            rows = probs[:, perm].tolist()
            evidence = self.evidence
            if evidence is None:
                get = _ChunkEvidence(model, texts).get
                evidence = [partial(get, i) for i in range(len(texts))]
            self._predictions = [Prediction(lab, dict(zip(LABELS, r)), ev)
                                 for lab, r, ev in zip(labels, rows, evidence)]
        return self._predictions


def probabilities(model: Model, texts: list[str]):
    """The probability array of ``texts`` (what a worker process sends back)."""
    return model.predict_batch(texts, evidence=False).probabilities


# -- worker processes -------------------------------------------------------
# Per process: models loaded by path (None: the shipped default).
_MODELS: dict = {}


def worker_model(path: str | Path | Model | None = None) -> Model:
    """The model of this process for ``path`` (``None``: the model installed
    with the package), loaded the first time it is asked for and then kept.
    A :class:`Model` (a forked worker's copy of its parent's) is its own.

    The one model cache of worker processes: the local pools
    (:mod:`closing_signal.parallel`) and Dask workers use it."""
    if isinstance(path, Model):
        return path
    key = None if path is None else str(path)
    model = _MODELS.get(key)
    if model is None:
        model = _MODELS[key] = load(key)
    return model


def worker_model_arg(model: Model) -> Model | str:
    """What :func:`worker_model` gets in a pool's workers: the model itself
    under ``fork`` (shared copy-on-write), else its directory (written once
    for an in-memory model, and removed with it)."""
    if start_method() == "fork":
        return model
    if model.path is None:
        tmp = tempfile.mkdtemp(prefix="closing_signal-")
        model.path = model.to_disk(Path(tmp) / "model")
        weakref.finalize(model, shutil.rmtree, tmp, True)
    return str(model.path)


class _ChunkEvidence:
    """The evidence of one chunk of predictions, computed for the whole chunk
    (one batch) the first time any of it is read."""

    __slots__ = ("model", "texts", "result")

    def __init__(self, model: Model, texts: list[str]):
        self.model, self.texts, self.result = model, texts, None

    def get(self, i: int) -> tuple[Evidence, ...]:
        model = self.model
        if model is not None:  # not computed yet, or being computed by another thread
            with model.component.lock:
                if self.result is None:
                    self.result = model._batch(self.texts, evidence=True).evidence
                    self.model = self.texts = None
        return self.result[i]


_OURS = frozenset({"closing_signal_clauses", "closing_signal_cues", "closing_signal"})


class _LockedMakeDoc:
    """``nlp.make_doc`` of a :class:`Model`'s pipeline: tokenizes under the
    classifier's lock, so no thread tokenizes while another's memory zone is open."""

    __slots__ = ("nlp", "component")

    def __init__(self, nlp: Language, component: ClosingSignalComponent):
        self.nlp, self.component = nlp, component

    def __call__(self, text: str):
        with self.component.lock:
            return type(self.nlp).make_doc(self.nlp, text)


class ZoneRotation:
    """Deprecated: a :class:`Model` now opens a memory zone per batch, under
    its lock, so this does nothing. Kept so code written against it runs."""

    def __init__(self, model: Model):
        warnings.warn("ZoneRotation is deprecated and does nothing: Model manages its memory zones itself",
                      DeprecationWarning, stacklevel=2)
        self.model = model

    def advance(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass
