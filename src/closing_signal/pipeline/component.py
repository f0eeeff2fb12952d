"""``closing_signal``: the text classifier component. Writes ``doc.cats``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from ..features import FeatureExtractor
from ..persistence import load_model, save_model
from ..prediction import Evidence
from ..scoring import LinearScorer
from . import _extensions as ext
from .analysis import analyze
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


_CLITICS = frozenset({"'m", "'s", "'re", "'ve", "'ll", "'d", "m", "s", "re", "ve", "ll", "d"})


_NEGATIONS = frozenset({"not", "n't", "nt", "no", "never", "nothing", "none", "nobody", "cannot"})


def _only_stopwords(text: str) -> bool:
    """Whether a span is only stopwords (negations never count as stopwords here)."""
    ws = [w.lower() for w in text.replace("\N{RIGHT SINGLE QUOTATION MARK}", "'").split()]
    return all((w in STOP_WORDS or w in _CLITICS) and w not in _NEGATIONS for w in ws)


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
        self.extractor: FeatureExtractor | None = None
        self.meta: dict = {}

    # -- state ------------------------------------------------------------
    def use(self, scorer: LinearScorer, lexicon: Lexicon, meta: dict | None = None) -> ClosingSignalComponent:
        """Install fitted weights and the lexicon they were trained with."""
        self.scorer, self.lexicon, self.meta = scorer, lexicon, dict(meta or {})
        self.extractor = FeatureExtractor(bigrams=self.meta.get("settings", {}).get("bigrams", True))
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
    def predict(self, docs: list[Doc]) -> tuple[np.ndarray, list[list]]:
        """Probabilities (n_docs, n_labels) and each Doc's features. Writes nothing."""
        self._ready()
        feats = [self.extractor(doc, analyze(doc, self.lexicon)) for doc in docs]
        return self.scorer.score(feats), feats

    def set_annotations(self, docs: list[Doc], scores: tuple[np.ndarray, list[list]]) -> None:
        probs, feats = scores
        classes = self.scorer.classes
        for doc, p, f in zip(docs, probs, feats):
            doc.cats = {c: float(v) for c, v in zip(classes, p)}
            doc._.set(ext.EVIDENCE, self.evidence(doc, f, int(np.argmax(p))))

    def evidence(self, doc: Doc, feats: list, label_index: int) -> list[Evidence]:
        """The cue phrases and words whose features pushed hardest toward ``label_index``.

        A bigram's weight is split between its two words; a word's weight goes
        to the cue phrase that contains it; words that are only stopwords and
        in no cue are left out.
        """
        index, push = self.scorer.index, self.scorer.push_lists[label_index]
        cues: dict[tuple[int, int], list] = {}
        words: dict[tuple[int, int], float] = {}
        for name, span in feats:
            if span is None:
                continue
            j = index.get(name)
            if j is None:
                continue
            w = push[j]
            if name[:2] in ("c:", "lc", "sc"):
                entry = cues.get(span)
                if entry is None:
                    entry = cues[span] = [0.0, name.split(":", 1)[1]]
                entry[0] += w
            elif len(span) == 4:
                half = w / 2
                words[span[:2]] = words.get(span[:2], 0.0) + half
                words[span[2:]] = words.get(span[2:], 0.0) + half
            else:
                words[span] = words.get(span, 0.0) + w
        # a cue inside a longer cue ("next steps" in "what are the next steps") counts for the longer one
        for span in sorted(cues, key=lambda sp: sp[1] - sp[0]):
            outer = next((c for c in cues if c != span and c[0] <= span[0] and span[1] <= c[1]), None)
            if outer is not None:
                cues[outer][0] += cues.pop(span)[0]
        items: list = []
        for (s, e), w in words.items():
            home = next((c for c in cues if c[0] <= s and e <= c[1]), None)
            if home is not None:
                cues[home][0] += w
            else:
                items.append(((s, e), w, None))
        items.extend((span, w, cue) for span, (w, cue) in cues.items())
        text = doc.text
        best = sorted((it for it in items if it[1] > 0 and (it[2] or not _only_stopwords(text[it[0][0]:it[0][1]]))),
                      key=lambda it: (-it[1], it[0]))
        return [Evidence(text[s:e], s, e, cue, w) for (s, e), w, cue in best[: self.n_evidence]]

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
