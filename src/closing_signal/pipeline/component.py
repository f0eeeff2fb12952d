"""``closing_signal``: the text classifier component. Writes ``doc.cats``."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import numpy as np
from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example

from ..analysis.batch import Analysis, analyze
from ..analysis.lexicon import Lexicon
from ..evidence import batch_evidence
from ..features import Featurizer, Features
from ..persistence import labels_problem, load_model, save_model
from ..prediction import Evidence
from ..scoring import LinearScorer
from . import _extensions as ext
from .analysis import analysis_of

__all__ = ["ClosingSignalComponent", "DocScores", "make_closing_signal", "default_model_path"]


class DocScores(NamedTuple):
    """What :meth:`ClosingSignalComponent.score_docs` returns for a batch."""

    probabilities: np.ndarray  # (n_docs, n_labels), columns in the order of the component's labels
    features: Features
    columns: np.ndarray        # each feature's model column, -1: unknown to the model
    analysis: Analysis
    logits: np.ndarray         # (n_docs, n_labels) before calibration: ``probabilities`` is softmax(logits / T)


def default_model_path() -> Path:
    """Where the shipped default model lives (inside the installed package,
    or ``models/default`` of a source checkout)."""
    from importlib import resources

    packaged = Path(str(resources.files("closing_signal").joinpath("_default_model")))
    if (packaged / "meta.json").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "models" / "default"
    if (checkout / "meta.json").is_file():
        return checkout
    raise FileNotFoundError("the default closing_signal model is missing from this installation "
                            f"(looked in {packaged} and {checkout}); reinstall the package")


class ClosingSignalComponent:
    """Scores a closing: ``doc.cats`` gets the probabilities of ``interest``,
    ``ambiguous`` and ``disinterest`` (they sum to 1), and
    ``doc._.closing_evidence`` the words that carried the decision.

    Reuses the clause and cue analysis of ``closing_signal_clauses`` /
    ``closing_signal_cues`` when they ran earlier, and computes it otherwise,
    so ``nlp.add_pipe("closing_signal")`` works in any English pipeline.

    The weights are learned state: read by ``from_disk`` or, if the component
    was made with ``model="default"`` or a path, on first use.

    Thread-safe: ``lock`` (one per component) is held while a batch is
    analysed and scored, in every path (``__call__``, ``pipe``, ``score_docs``,
    and :class:`~closing_signal.model.Model`, which also tokenizes and opens
    spaCy memory zones under it). It is never held across a ``yield``; a
    fork waits for it, and a pickled component gets a fresh one.
    """

    def __init__(self, nlp: Language, name: str = "closing_signal", *, model: str | None = "default",
                 n_evidence: int = 6):
        ext.register()
        self.name = name
        self.model = model
        self.n_evidence = n_evidence
        self.scorer: LinearScorer | None = None
        self.lexicon: Lexicon | None = None
        self.featurizer: Featurizer | None = None
        self.meta: dict = {}
        self._new_lock()

    def _new_lock(self) -> None:
        self.lock = threading.RLock()
        if hasattr(os, "register_at_fork"):  # a forked process never inherits the lock held, or a batch half done
            ref = weakref.ref(self)
            os.register_at_fork(before=partial(_at_fork, ref, "acquire"),
                                after_in_parent=partial(_at_fork, ref, "release"),
                                after_in_child=partial(_at_fork, ref, "renew"))

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._new_lock()

    # -- state ------------------------------------------------------------
    def use(self, scorer: LinearScorer, lexicon: Lexicon, meta: dict | None = None, *,
            all_labels: bool = True) -> ClosingSignalComponent:
        """Install fitted weights and the lexicon they were trained with.
        ``ValueError`` unless the weights are for exactly the three labels.

        ``all_labels=False`` accepts weights for a subset of the labels: the
        scikit-learn estimator scores through this component's batch method
        too, and may be fitted on two of them (scikit-learn's generic checks
        do). Such a component is never written: the model file format
        refuses anything but the three labels."""
        classes = list(scorer.classes)
        problem = (labels_problem(classes) if all_labels
                   else None if len(classes) >= 2 and len(set(classes)) == len(classes)
                   else f"an estimator needs two or more distinct classes, got {classes}")
        if problem:
            raise ValueError(f"pipe '{self.name}': {problem}")
        meta = dict(meta or {})
        settings = meta.get("settings", {})
        featurizer = Featurizer(bigrams=settings.get("bigrams", True), stance_words=settings.get("stance_words", False),
                                frozen=True)
        with self.lock:
            scorer.index_keys(featurizer.keys(scorer.features, lexicon.cue_types))
            self.scorer, self.lexicon, self.meta, self.featurizer = scorer, lexicon, meta, featurizer
        return self

    def _ready(self) -> None:
        if self.scorer is None:
            if self.model is None:
                raise ValueError(f"pipe '{self.name}' has no model: load one with from_disk() "
                                 "or create it with config={'model': 'default'} or a model path")
            with self.lock:
                if self.scorer is None:
                    self.from_disk(default_model_path() if self.model == "default" else Path(self.model))

    @property
    def labels(self) -> tuple[str, ...]:
        self._ready()
        return self.scorer.classes

    def initialize(self, get_examples=None, *, nlp=None) -> None:
        self._ready()

    # -- prediction -------------------------------------------------------
    def score_docs(self, docs: Iterable[Doc]) -> DocScores:
        """The batch method: probabilities of ``docs`` (rows in the order of
        :attr:`labels`), their features, each feature's model column (-1:
        unknown to the model) and the analysis they came from.

        ``docs`` may be a list (an analysis an earlier component stored in
        ``Doc._.closing_analysis`` is reused) or any iterable, read once with
        each Doc analysed as it comes and not kept. Every path that labels a
        closing (``__call__``, ``pipe``, :class:`~closing_signal.model.Model`)
        goes through here."""
        with self.lock:
            self._ready()
            a = analysis_of(docs, self.lexicon) if isinstance(docs, list) else analyze(docs, self.lexicon)
            return self.score_analysis(a)

    def score_analysis(self, a: Analysis) -> DocScores:
        """:meth:`score_docs` for an analysis already made, with ``self.lexicon``
        and in this thread (word ids are only valid there)."""
        with self.lock:
            self._ready()
            if a.lexicon is not self.lexicon or a.generation != a.lexicon.words.generation:
                raise ValueError("the analysis was made with another lexicon, in another thread, or before the "
                                 "word table started afresh: analyse the Docs again")
            feats = self.featurizer(a)
            cols = self.scorer.columns(feats.key)
            logits = self.scorer.logits(feats.row, cols, a.n_docs)
            return DocScores(self.scorer.proba(logits, a.n_words == 0), feats, cols, a, logits)

    def predict(self, docs: list[Doc]) -> DocScores:
        """What :meth:`score_docs` returns. Writes nothing."""
        return self.score_docs(docs)

    def cue_types(self, a: Analysis) -> list[frozenset[str]]:
        """The cue types found in each Doc of an analysis."""
        out: list[set[str]] = [set() for _ in range(a.n_docs)]
        names = a.lexicon.cue_types
        for d, lab in zip(a.cue_doc.tolist(), a.cue_label.tolist()):
            out[d].add(names[lab])
        return [frozenset(x) for x in out]

    def score(self, examples: Iterable[Example], **kwargs) -> dict:
        """spaCy's ``Pipe.score``: how well ``doc.cats`` of the predicted Docs
        match the reference ones (``cats_macro_f``, ``cats_f_per_type``, ...;
        see ``spacy.scorer.Scorer.score_cats``), so ``nlp.evaluate`` works."""
        kwargs.setdefault("labels", self.labels)
        kwargs.setdefault("multi_label", False)
        return Scorer.score_cats(examples, "cats", **kwargs)

    def set_annotations(self, docs: list[Doc], scores: DocScores) -> None:
        probs, feats, cols = scores.probabilities, scores.features, scores.columns
        classes = self.scorer.classes
        evidence = self.evidence(feats, cols, [doc.text for doc in docs], probs.argmax(axis=1).tolist())
        for doc, p, ev in zip(docs, probs.tolist(), evidence):
            doc.cats = dict(zip(classes, p))
            doc._.set(ext.EVIDENCE, ev)

    def evidence(self, feats: Features, cols: np.ndarray, texts: list[str], labels: list[int],
                 offsets: list[int] | None = None) -> list[list[Evidence]]:
        """For each Doc, the cue phrases and words whose features pushed hardest
        toward its label (an index into ``labels``); see
        :func:`closing_signal.evidence.batch_evidence`."""
        return batch_evidence(feats, cols, texts, labels, self.scorer.push, self.lexicon.cue_types,
                              self.n_evidence, offsets)

    def __call__(self, doc: Doc) -> Doc:
        with self.lock:
            self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        stream = iter(stream)
        while batch := list(islice(stream, batch_size)):
            with self.lock:
                self.set_annotations(batch, self.predict(batch))
            yield from batch

    # -- serialization ----------------------------------------------------
    def to_disk(self, path, *, exclude=tuple()) -> None:
        self._ready()
        with self.lock:
            scorer, lexicon, meta = self.scorer, self.lexicon, self.meta
        info = {k: v for k, v in meta.items() if k not in {"format", "closing_signal_version", "labels",
                                                             "temperature", "n_features", "settings", "files"}}
        save_model(path, scorer, lexicon, settings=meta.get("settings", {"bigrams": True}), info=info)

    def from_disk(self, path, *, exclude=tuple()) -> ClosingSignalComponent:
        scorer, lexicon, meta = load_model(path)
        return self.use(scorer, lexicon, meta)


def _at_fork(ref, what: str) -> None:
    comp = ref()
    if comp is None:
        return
    if what == "acquire":
        comp.lock.acquire()
    elif what == "release":
        comp.lock.release()
    else:
        comp.lock = threading.RLock()


@Language.factory(
    "closing_signal",
    default_config={"model": "default", "n_evidence": 6},
    assigns=["doc.cats", "doc._.closing_evidence"],
    default_score_weights={"cats_macro_f": 1.0},
)
def make_closing_signal(nlp: Language, name: str, model: str | None, n_evidence: int) -> ClosingSignalComponent:
    return ClosingSignalComponent(nlp, name, model=model, n_evidence=n_evidence)
