"""The fitted linear model as plain arrays: feature index, weights, temperature."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .analysis.arrays import unique_sorted
from .features import ColumnIndex

__all__ = ["LinearScorer"]


@dataclass
class LinearScorer:
    """Multinomial logistic weights over named binary features, with a
    temperature that calibrates the probabilities (``softmax(logits / T)``).

    Texts reach it as :class:`~closing_signal.features.Features` (integer
    keys); :meth:`index_keys` says which keys each named feature has.
    """

    classes: tuple[str, ...]
    features: list[str]
    coef: np.ndarray        # (n_classes, n_features), float64
    intercept: np.ndarray   # (n_classes,)
    temperature: float = 1.0
    _index: ColumnIndex | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.coef = np.ascontiguousarray(self.coef, dtype=np.float64)
        self.intercept = np.asarray(self.intercept, dtype=np.float64)
        self._coef_t = np.ascontiguousarray(self.coef.T)
        #: how much each feature pushes toward each class, relative to the others (for evidence)
        self.push = self.coef - self.coef.mean(axis=0, keepdims=True)

    def index_keys(self, keys: list[list[int]]) -> None:
        """``keys[j]``: the feature keys of ``features[j]``."""
        self._index = ColumnIndex(keys)

    def columns(self, key: np.ndarray) -> np.ndarray:
        """The column of each key, -1 for keys the model does not know."""
        if self._index is None:
            raise ValueError("LinearScorer.index_keys() was not called")
        return self._index(key)

    def matrix(self, row: np.ndarray, col: np.ndarray, n_rows: int) -> sp.csr_matrix:
        """Binary CSR matrix from (row, column) pairs; columns < 0 are ignored
        (what the estimator is fitted on)."""
        ok = col >= 0
        X = sp.csr_matrix((np.ones(int(ok.sum())), (row[ok], col[ok])), shape=(n_rows, len(self.features)))
        X.sum_duplicates()
        X.data[:] = 1.0
        return X

    def logits(self, row: np.ndarray, col: np.ndarray, n_rows: int) -> np.ndarray:
        """Uncalibrated logits (n_rows, n_classes) of binary features given as
        (row, column) pairs; columns < 0 are ignored, repeats count once.
        The same sums, in the same order, as ``matrix(...) @ coef.T``."""
        nf = len(self.features)
        ok = col >= 0
        r, c = np.divmod(unique_sorted(row[ok] * nf + col[ok]), nf) if nf else (row[:0], col[:0])
        w = self._coef_t[c]
        out = np.empty((n_rows, len(self.classes)))
        for k in range(len(self.classes)):
            out[:, k] = np.bincount(r, weights=w[:, k], minlength=n_rows)
        return out + self.intercept

    def proba(self, logits: np.ndarray, empty: np.ndarray) -> np.ndarray:
        """Calibrated probabilities ``softmax(logits / T)``. A text with no
        words at all (``empty`` rows) said nothing, so it is ``ambiguous``
        with probability 1 — a documented rule, not a guess."""
        z = logits / self.temperature
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        proba = e / e.sum(axis=1, keepdims=True)
        if "ambiguous" in self.classes and empty.any():
            proba[empty] = [1.0 if c == "ambiguous" else 0.0 for c in self.classes]
        return proba
