"""Temperature scaling: one scalar that makes softmax probabilities honest."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

__all__ = ["fit_temperature", "expected_calibration_error"]


def _nll(logits: np.ndarray, y: np.ndarray, t: float) -> float:
    z = logits / t
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean())


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature ``T`` minimising the log loss of ``softmax(logits / T)``.

    ``logits`` should be out-of-fold (not seen in training), ``y`` class indices.

    >>> import numpy as np
    >>> logits = np.array([[4.0, 0.0], [4.0, 0.0], [0.0, 4.0], [4.0, 0.0]])
    >>> fit_temperature(logits, np.array([0, 1, 1, 0])) > 1   # over-confident -> soften
    True
    """
    res = minimize_scalar(lambda logt: _nll(logits, y, float(np.exp(logt))), bounds=(-3.0, 3.0), method="bounded",
                          options={"xatol": 1e-4})
    return round(float(np.exp(res.x)), 4)


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, n_bins: int = 10) -> tuple[float, list[dict]]:
    """ECE of the top-label confidence, and the reliability table behind it."""
    conf = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    table, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi) if lo > 0 else (conf >= lo) & (conf <= hi)
        n = int(m.sum())
        if n:
            acc, avg = float(correct[m].mean()), float(conf[m].mean())
            ece += n / len(y) * abs(acc - avg)
            table.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": n, "confidence": round(avg, 4), "accuracy": round(acc, 4)})
    return round(ece, 4), table
