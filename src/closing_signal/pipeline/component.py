"""``closing_signal``: the text classifier component. Writes ``doc.cats``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ..evidence import batch_evidence
from ..features import Featurizer, Features
from ..persistence import load_model, save_model
from ..prediction import Evidence
from ..scoring import LinearScorer
from . import _extensions as ext
from .analysis import Analysis, analysis_of
from .lexicon import Lexicon

__all__ = ["ClosingSignalComponent", "make_closing_signal", "default_model_path"]


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

    # -- state ------------------------------------------------------------
    def use(self, scorer: LinearScorer, lexicon: Lexicon, meta: dict | None = None) -> ClosingSignalComponent:
        """Install fitted weights and the lexicon they were trained with."""
        self.scorer, self.lexicon, self.meta = scorer, lexicon, dict(meta or {})
        self.featurizer = Featurizer(bigrams=self.meta.get("settings", {}).get("bigrams", True), frozen=True)
        scorer.index_keys(self.featurizer.keys(scorer.features, lexicon.cue_types))
        return self

    def _ready(self) -> None:
        if self.scorer is None:
            if self.model is None:
                raise ValueError(f"pipe '{self.name}' has no model: load one with from_disk() "
                                 "or create it with config={'model': 'default'} or a model path")
            path = default_model_path() if self.model == "default" else Path(self.model)
            self.from_disk(path)

    @property
    def labels(self) -> tuple[str, ...]:
        self._ready()
        return self.scorer.classes

    def initialize(self, get_examples=None, *, nlp=None) -> None:
        self._ready()

    # -- prediction -------------------------------------------------------
    def score(self, docs: list[Doc]) -> tuple[np.ndarray, Features, np.ndarray]:
        """Probabilities (n_docs, n_labels), the Docs' features and each
        feature's model column (-1: unknown to the model)."""
        self._ready()
        return self.score_analysis(analysis_of(docs, self.lexicon))

    def score_analysis(self, a: Analysis) -> tuple[np.ndarray, Features, np.ndarray]:
        """:meth:`score` for an analysis already made (with ``self.lexicon``)."""
        self._ready()
        feats = self.featurizer(a)
        cols = self.scorer.columns(feats.key)
        logits = self.scorer.logits(feats.row, cols, a.n_docs)
        return self.scorer.proba(logits, a.n_words == 0), feats, cols

    def predict(self, docs: list[Doc]) -> tuple[np.ndarray, Features, np.ndarray]:
        """What :meth:`score` returns. Writes nothing."""
        return self.score(docs)

    def set_annotations(self, docs: list[Doc], scores: tuple[np.ndarray, Features, np.ndarray]) -> None:
        probs, feats, cols = scores
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
        scores = self.predict([doc])
        self.set_annotations([doc], scores)
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        stream = iter(stream)
        while batch := list(islice(stream, batch_size)):
            self.set_annotations(batch, self.predict(batch))
            yield from batch

    # -- serialization ----------------------------------------------------
    def to_disk(self, path, *, exclude=tuple()) -> None:
        self._ready()
        info = {k: v for k, v in self.meta.items() if k not in {"format", "closing_signal_version", "labels",
                                                                   "temperature", "n_features", "settings", "files"}}
        save_model(path, self.scorer, self.lexicon, settings=self.meta.get("settings", {"bigrams": True}), info=info)

    def from_disk(self, path, *, exclude=tuple()) -> ClosingSignalComponent:
        scorer, lexicon, meta = load_model(path)
        return self.use(scorer, lexicon, meta)


@Language.factory(
    "closing_signal",
    default_config={"model": "default", "n_evidence": 6},
    assigns=["doc.cats", "doc._.closing_evidence"],
    default_score_weights={"cats_macro_f": 1.0},
)
def make_closing_signal(nlp: Language, name: str, model: str | None, n_evidence: int) -> ClosingSignalComponent:
    return ClosingSignalComponent(nlp, name, model=model, n_evidence=n_evidence)
