"""The fitted linear model as plain arrays: feature index, weights, temperature."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["LinearScorer"]


@dataclass
class LinearScorer:
    """Multinomial logistic weights over named binary features, with a
    temperature that calibrates the probabilities (``softmax(logits / T)``)."""

    classes: tuple[str, ...]
    features: list[str]
    coef: np.ndarray        # (n_classes, n_features), float64
    intercept: np.ndarray   # (n_classes,)
    temperature: float = 1.0

    def __post_init__(self) -> None:
        self.index = {f: i for i, f in enumerate(self.features)}
        self.coef = np.ascontiguousarray(self.coef, dtype=np.float64)
        self.intercept = np.asarray(self.intercept, dtype=np.float64)
        # how much each feature pushes toward each class, relative to the others (for evidence)
        self.push_lists: list[list[float]] = (self.coef - self.coef.mean(axis=0, keepdims=True)).tolist()

    def vectorize(self, feature_lists: Sequence[Sequence[tuple[str, object]]]) -> sp.csr_matrix:
        """Binary CSR matrix; unknown features are ignored."""
        index = self.index
        indptr = [0]
        indices: list[int] = []
        for feats in feature_lists:
            row = {index[f] for f, _ in feats if f in index}
            indices.extend(sorted(row))
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float64)
        return sp.csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
                             shape=(len(feature_lists), len(self.features)))

    def logits(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.coef.T) + self.intercept

    def proba_from_logits(self, logits: np.ndarray) -> np.ndarray:
        z = logits / self.temperature
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        return self.proba_from_logits(self.logits(X))

    def score(self, feature_lists: Sequence[Sequence[tuple[str, object]]]) -> np.ndarray:
        """Calibrated probabilities for featurized texts.

        A text with no words at all (``s:empty``) said nothing, so it is
        ``ambiguous`` with probability 1 — a documented rule, not a guess.
        """
        proba = self.predict_proba(self.vectorize(feature_lists))
        if "ambiguous" in self.classes:
            empty = [i for i, f in enumerate(feature_lists) if len(f) == 1 and f[0][0] == "s:empty"]
            if empty:
                proba[empty] = [1.0 if c == "ambiguous" else 0.0 for c in self.classes]
        return proba
