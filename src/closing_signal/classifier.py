"""``ClosingSignalClassifier``: a scikit-learn estimator over raw closing texts."""

from __future__ import annotations

from collections import Counter
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .calibration import fit_temperature
from .data.asr import to_asr
from .features import FeatureExtractor
from .pipeline.analysis import analyze
from .pipeline.lexicon import Lexicon
from .scoring import LinearScorer
from .text import check_text, clip

__all__ = ["ClosingSignalClassifier"]


def _texts(X) -> list[str]:
    if isinstance(X, str):
        raise TypeError("X must be a sequence of texts, not a single str; wrap it in a list")
    if hasattr(X, "ndim") and getattr(X, "ndim", 1) == 2:
        if X.shape[1] != 1:
            raise ValueError(f"X must be 1-D texts (or one text column), got shape {X.shape}")
        X = np.asarray(X)[:, 0]
    try:
        items = list(X)
    except TypeError:
        raise TypeError(f"X must be a sequence of str, got {type(X).__name__}") from None
    return [check_text(t, where=f"X[{i}]") for i, t in enumerate(items)]


def _per_class(a: np.ndarray) -> np.ndarray:
    """One row per class: a binary LogisticRegression gives one row ``w`` for
    the second class; the same softmax comes from ``(-w/2, w/2)``."""
    return a if a.shape[0] > 1 else np.concatenate([-a / 2, a / 2])


class ClosingSignalClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression over the closing-cue features of raw texts, with
    temperature-calibrated probabilities.

    Texts go through ``spacy.blank("en")`` with the clause and cue analysis of
    :mod:`closing_signal.pipeline`; features are stemmed words marked for
    negation, bigrams, cue types and their pairing within clauses, and where
    the last stance sits (:mod:`closing_signal.features`).

    Parameters
    ----------
    C : float
        Inverse L2 regularisation strength.
    min_df : int
        Keep features seen in at least this many training texts.
    bigrams : bool
        Add word bigram features.
    calibration : {"temperature", "none"}
        Fit a temperature on out-of-fold logits (``cv`` folds).
    cv : int
        Folds for the calibration logits.
    class_weight : "balanced", dict or None
    max_iter : int
    augment : {"asr", "none"}
        With ``"asr"`` each training text is also learned in a speech-to-text
        rendering (:func:`closing_signal.data.asr.to_asr`), so transcribed
        closings get the same label as clean ones. A text and its rendering
        always sit in the same calibration fold.
    random_state : int, RandomState or None
        Only used to shuffle the calibration folds.

    Examples
    --------
    >>> from sklearn.base import clone
    >>> clf = ClosingSignalClassifier(C=0.5)
    >>> clone(clf).get_params()["C"]
    0.5
    """

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "bigrams": ["boolean"],
        "calibration": [StrOptions({"temperature", "none"})],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "augment": [StrOptions({"asr", "none"})],
        "random_state": ["random_state"],
    }

    def __init__(self, *, C: float = 1.0, min_df: int = 1, bigrams: bool = True, calibration: str = "temperature",
                 cv: int = 5, class_weight="balanced", max_iter: int = 3000, augment: str = "asr", random_state=0):
        self.C = C
        self.min_df = min_df
        self.bigrams = bigrams
        self.calibration = calibration
        self.cv = cv
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.augment = augment
        self.random_state = random_state

    # the spaCy pipeline is rebuilt on demand, never pickled
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_nlp", None)
        return state

    def _featurize(self, texts: list[str], lexicon: Lexicon) -> list[list]:
        nlp = getattr(self, "_nlp", None)
        if nlp is None or nlp[1] is not lexicon:
            from .pipeline.build import make_analysis_pipeline

            base = make_analysis_pipeline(lexicon, write_spans=False)  # features need the analysis, not spans
            nlp = self._nlp = (base, lexicon, FeatureExtractor(bigrams=self.bigrams))
        base, _, extractor = nlp
        out = []
        with base.memory_zone():
            for doc in base.pipe(clip(t)[0] for t in texts):
                out.append(extractor(doc, analyze(doc, lexicon)))
        return out

    def _lr(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, tol=1e-6)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, lexicon: Lexicon | None = None):
        """Fit on texts ``X`` and labels ``y``; ``lexicon`` defaults to the shipped one.

        The solver runs on one thread: scikit-learn's multinomial loss sums over
        OpenMP threads, so the thread count would otherwise change the last bits
        of the weights (and the model files) from one environment to another.
        """
        with threadpool_limits(limits=1):
            return self._fit(X, y, lexicon)

    def _fit(self, X, y, lexicon: Lexicon | None):
        texts = _texts(X)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(texts):
            raise ValueError(f"y must be 1-D with one label per text ({len(texts)}), got shape {y.shape}")
        if len(texts) == 0:
            raise ValueError("cannot fit on 0 texts")
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"need at least 2 classes to fit, got {len(classes)}")
        self.lexicon_ = lexicon or Lexicon.default()
        feats = self._featurize(texts, self.lexicon_)
        n = len(texts)
        if self.augment == "asr":
            feats = feats + self._featurize([to_asr(t) for t in texts], self.lexicon_)
        df = Counter(f for fs in feats for f in {name for name, _ in fs})
        vocab = sorted(f for f, k in df.items() if k >= self.min_df)
        scorer = LinearScorer(tuple(classes.tolist()), vocab, np.zeros((len(classes), len(vocab))),
                              np.zeros(len(classes)))
        Xm = scorer.vectorize(feats)
        y_idx = np.searchsorted(classes, y)
        copies = len(feats) // n
        y_all = np.tile(y_idx, copies)

        def rows(idx):  # a text's rows: the original and its augmented copy
            return np.concatenate([idx + k * n for k in range(copies)])

        temperature = 1.0
        n_splits = min(self.cv, int(np.bincount(y_idx).min()))
        if self.calibration == "temperature" and n_splits >= 2:
            oof = np.zeros((n, len(classes)))
            folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
            for tr, te in folds.split(np.zeros(n), y_idx):
                lr = self._lr().fit(Xm[rows(tr)], y_all[rows(tr)])
                if len(lr.classes_) == len(classes):
                    d = lr.decision_function(Xm[te])
                    oof[te] = d if d.ndim == 2 else _per_class(d[np.newaxis]).T  # binary: one logit
            temperature = fit_temperature(oof, y_idx)
        lr = self._lr().fit(Xm, y_all)
        self.scorer_ = LinearScorer(scorer.classes, vocab, _per_class(lr.coef_), _per_class(lr.intercept_),
                                    temperature)
        self.classes_ = classes
        self.temperature_ = temperature
        return self

    def decision_function(self, X) -> np.ndarray:
        """Uncalibrated logits, shape (n_texts, n_classes)."""
        check_is_fitted(self, "scorer_")
        feats = self._featurize(_texts(X), self.lexicon_)
        return self.scorer_.logits(self.scorer_.vectorize(feats))

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probabilities, columns in the order of ``classes_``.

        Empty or whitespace-only texts are ``ambiguous`` with probability 1.
        """
        check_is_fitted(self, "scorer_")
        return self.scorer_.score(self._featurize(_texts(X), self.lexicon_))

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "scorer_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags
