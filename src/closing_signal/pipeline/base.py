"""What the two analysis components share: a lexicon, span writing on or off, batched pipe, disk."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..analysis.batch import DocAnalysis
from ..analysis.lexicon import Lexicon
from . import _extensions as ext
from .analysis import analysis_of

__all__ = ["AnalysisComponent"]


class AnalysisComponent:
    """Base of ``closing_signal_clauses`` and ``closing_signal_cues``.

    Both store the batch's analysis in ``Doc._.closing_analysis`` (computed
    once per batch, shared by the components after them) and, with
    ``write_spans``, write their spans via :meth:`write`.

    The term lists are data (``lexicon/cues.json``), not config; ``to_disk``
    writes the lexicon in use so a saved pipeline keeps it.
    """

    def __init__(self, nlp: Language, name: str, *, lexicon: Lexicon | None = None, write_spans: bool = True):
        ext.register()
        self.name = name
        self.write_spans = write_spans
        self._lexicon = lexicon

    @property
    def lexicon(self) -> Lexicon:
        """The lexicon in use; the shipped one, read on first use, unless one was set."""
        if self._lexicon is None:
            self._lexicon = Lexicon.default()
        return self._lexicon

    @lexicon.setter
    def lexicon(self, value: Lexicon | None) -> None:
        self._lexicon = value

    def write(self, doc: Doc, analysis: DocAnalysis) -> None:
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        stream = iter(stream)
        while batch := list(islice(stream, batch_size)):
            a = analysis_of(batch, self.lexicon)
            for i, doc in enumerate(batch):
                da = a.for_doc(i)
                doc._.set(ext.ANALYSIS, da)
                if self.write_spans:
                    self.write(doc, da)
            yield from batch

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "lexicon.json").write_text(self.lexicon.to_json(), encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()):
        self.lexicon = Lexicon.from_path(Path(path) / "lexicon.json")
        return self
