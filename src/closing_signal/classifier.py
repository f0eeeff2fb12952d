"""``ClosingSignalClassifier``: a scikit-learn estimator over raw closing texts."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _assert_all_finite, check_is_fitted, column_or_1d
from threadpoolctl import threadpool_limits

from .analysis.batch import analyze
from .analysis.lexicon import Lexicon
from .calibration import fit_temperature
from .data.asr import to_asr
from .features import Featurizer
from .pipeline.component import ClosingSignalComponent
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
    stance_words : bool
        Add the words of the last clause that takes a stance (``sw:``), when
        it is not the final clause (a letter's sign-off, a trailing question).
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
        "stance_words": ["boolean"],
        "calibration": [StrOptions({"temperature", "none"})],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "augment": [StrOptions({"asr", "none"})],
        "random_state": ["random_state"],
    }

    def __init__(self, *, C: float = 1.0, min_df: int = 1, bigrams: bool = True, stance_words: bool = False,
                 calibration: str = "temperature", cv: int = 5, class_weight="balanced", max_iter: int = 3000,
                 augment: str = "asr", random_state=0):
        self.C = C
        self.min_df = min_df
        self.bigrams = bigrams
        self.stance_words = stance_words
        self.calibration = calibration
        self.cv = cv
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.augment = augment
        self.random_state = random_state

    # the tokenizer and the scoring component are rebuilt on demand, never pickled
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_nlp", None)
        state.pop("_component", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "scorer_" in state:
            self._scoring_component()

    def _tokenizer(self):
        nlp = getattr(self, "_nlp", None)
        if nlp is None:
            import spacy

            nlp = self._nlp = spacy.blank("en")
        return nlp

    def _scoring_component(self) -> ClosingSignalComponent:
        """The fitted weights in a ``closing_signal`` component: texts are
        scored by its batch method, the one path every prediction takes."""
        comp = getattr(self, "_component", None)
        if comp is None or comp.scorer is not self.scorer_:
            settings = {"bigrams": self.featurizer_.bigrams, "stance_words": self.featurizer_.stance_words}
            comp = ClosingSignalComponent(self._tokenizer(), model=None).use(
                self.scorer_, self.lexicon_, {"settings": settings}, all_labels=False)
            self._component = comp
        return comp

    def _doc_batches(self, texts: list[str], batch_size: int = 1000):
        """``(offset, Docs)`` of each batch of ``texts`` (clipped), read
        inside one spaCy memory zone; each Doc is made as it is read."""
        nlp = self._tokenizer()
        with nlp.memory_zone():
            for b in range(0, len(texts), batch_size):
                yield b, nlp.pipe(clip(t)[0] for t in texts[b:b + batch_size])

    def _scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(logits, probabilities, empty)`` of ``texts``, through the component."""
        comp = self._scoring_component()
        k = len(self.classes_)
        logits, probs, empty = [np.zeros((0, k))], [np.zeros((0, k))], [np.zeros(0, bool)]
        with comp.lock:
            for _, docs in self._doc_batches(texts):
                s = comp.score_docs(docs)
                logits.append(s.logits)
                probs.append(s.probabilities)
                empty.append(s.analysis.n_words == 0)
        return np.concatenate(logits), np.concatenate(probs), np.concatenate(empty)

    def _features(self, texts: list[str], lexicon: Lexicon,
                  featurizer: Featurizer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(row, key, empty)``: the feature keys of every text, and which texts have no words."""
        rows, keys, empty = [], [], []
        for b, docs in self._doc_batches(texts):
            a = analyze(docs, lexicon)
            f = featurizer(a)
            rows.append(f.row + b)
            keys.append(f.key)
            empty.append(a.n_words == 0)
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool)
        return np.concatenate(rows), np.concatenate(keys), np.concatenate(empty)

    def _lr(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, tol=1e-6)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, lexicon: Lexicon | None = None):
        """Fit on texts ``X`` and labels ``y``; ``lexicon`` defaults to the shipped one.

        ``sample_weight`` (one non-negative number per text) weighs texts in the
        loss, e.g. to let real closings count more than written examples; the
        calibration folds use the same weights.

        The solver runs on one thread: scikit-learn's multinomial loss sums over
        OpenMP threads, so the thread count would otherwise change the last bits
        of the weights (and the model files) from one environment to another.
        """
        with threadpool_limits(limits=1):
            return self._fit(X, y, sample_weight, lexicon)

    def _fit(self, X, y, sample_weight, lexicon: Lexicon | None):
        texts = _texts(X)
        y = column_or_1d(y, warn=True)  # a (n, 1) column is raveled with scikit-learn's warning
        if len(y) != len(texts):
            raise ValueError(f"y must be 1-D with one label per text ({len(texts)}), got shape {y.shape}")
        if y.dtype.kind == "f":
            _assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
            if sample_weight.shape != (len(texts),) or not np.all(np.isfinite(sample_weight)) \
                    or np.any(sample_weight < 0):
                raise ValueError(f"sample_weight must be {len(texts)} finite non-negative numbers")
        if len(texts) == 0:
            raise ValueError("cannot fit on 0 texts")
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"need at least 2 classes to fit, got {len(classes)} class")
        self.lexicon_ = lexicon = lexicon or Lexicon.default()
        featurizer = Featurizer(bigrams=self.bigrams, stance_words=self.stance_words)
        row, key, _ = self._features(texts, lexicon, featurizer)
        n = len(texts)
        if self.augment == "asr":
            row2, key2, _ = self._features([to_asr(t) for t in texts], lexicon, featurizer)
            row, key = np.concatenate([row, row2 + n]), np.concatenate([key, key2])
        n_rows = n * (2 if self.augment == "asr" else 1)
        # document frequency of each feature name (one name may have several keys)
        uk, kid = np.unique(key, return_inverse=True)
        names = featurizer.names(uk, lexicon.cue_types)
        name_id = {nm: i for i, nm in enumerate(dict.fromkeys(names))}
        nid = np.array([name_id[nm] for nm in names], dtype=np.int64)[kid]
        df = np.bincount(np.unique(row * len(name_id) + nid) % len(name_id), minlength=len(name_id))
        vocab = sorted(nm for nm, i in name_id.items() if df[i] >= self.min_df)
        scorer = LinearScorer(tuple(classes.tolist()), vocab, np.zeros((len(classes), len(vocab))),
                              np.zeros(len(classes)))
        scorer.index_keys(featurizer.keys(vocab, lexicon.cue_types))
        Xm = scorer.matrix(row, scorer.columns(key), n_rows)
        y_idx = np.searchsorted(classes, y)
        copies = n_rows // n
        y_all = np.tile(y_idx, copies)
        w_all = None if sample_weight is None else np.tile(sample_weight, copies)

        def rows(idx):  # a text's rows: the original and its augmented copy
            return np.concatenate([idx + k * n for k in range(copies)])

        temperature = 1.0
        n_splits = min(self.cv, int(np.bincount(y_idx).min()))
        if self.calibration == "temperature" and n_splits >= 2:
            oof = np.zeros((n, len(classes)))
            folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
            for tr, te in folds.split(np.zeros(n), y_idx):
                lr = self._lr().fit(Xm[rows(tr)], y_all[rows(tr)],
                                    sample_weight=None if w_all is None else w_all[rows(tr)])
                if len(lr.classes_) == len(classes):
                    d = lr.decision_function(Xm[te])
                    oof[te] = d if d.ndim == 2 else _per_class(d[np.newaxis]).T  # binary: one logit
            temperature = fit_temperature(oof, y_idx)
        lr = self._lr().fit(Xm, y_all, sample_weight=w_all)
        self.scorer_ = LinearScorer(scorer.classes, vocab, _per_class(lr.coef_), _per_class(lr.intercept_),
                                    temperature)
        self.featurizer_ = Featurizer(bigrams=self.bigrams, stance_words=self.stance_words, frozen=True)
        self.scorer_.index_keys(self.featurizer_.keys(vocab, lexicon.cue_types))
        self._component = None
        self._scoring_component()  # made now: predicting never changes the estimator's __dict__
        self.classes_ = classes
        self.n_iter_ = lr.n_iter_
        self.temperature_ = temperature
        return self

    def calibrate(self, X, y) -> ClosingSignalClassifier:
        """Refit the temperature on held-out texts ``X`` with labels ``y`` (texts
        the model was not trained on, e.g. real closings kept apart for this);
        the weights stay as they are. Texts with no words are left out: their
        probabilities do not depend on the temperature.

        The temperature from ``fit`` comes from out-of-fold logits of the
        training data; when the texts the model will meet differ from it (real
        closings against written examples), their own held-out logits give
        more honest probabilities.
        """
        check_is_fitted(self, "scorer_")
        texts = _texts(X)
        y = np.asarray(y)
        if y.shape != (len(texts),):
            raise ValueError(f"y must be 1-D with one label per text ({len(texts)}), got shape {y.shape}")
        unknown = sorted(set(y.tolist()) - set(self.classes_.tolist()))
        if unknown:
            raise ValueError(f"labels {unknown} are not among the fitted classes {list(self.classes_)}")
        logits, _, empty = self._scores(texts)
        if (~empty).sum() == 0:
            raise ValueError("no text with words to calibrate on")
        self.temperature_ = fit_temperature(logits[~empty], np.searchsorted(self.classes_, y)[~empty])
        self.scorer_.temperature = self.temperature_
        return self

    def decision_function(self, X) -> np.ndarray:
        """Uncalibrated logits, shape (n_texts, n_classes); with two classes,
        scikit-learn's shape (n_texts,): the second class's logit minus the first's."""
        check_is_fitted(self, "scorer_")
        d = self._scores(_texts(X))[0]
        return d[:, 1] - d[:, 0] if len(self.classes_) == 2 else d

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probabilities, columns in the order of ``classes_``.

        Empty or whitespace-only texts are ``ambiguous`` with probability 1.
        """
        check_is_fitted(self, "scorer_")
        return self._scores(_texts(X))[1]

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "scorer_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags
