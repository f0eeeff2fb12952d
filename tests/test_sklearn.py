"""The scikit-learn contract of ClosingSignalClassifier.

scikit-learn's generic checks feed numeric arrays, so for an estimator tagged
``input_tags.string`` ``parametrize_with_checks`` runs almost none of them. Here
they run on ``NumbersAsText``: the same estimator, whose numeric rows are first
written as texts (one word per feature, its sign and size), so every check of
fitting, prediction, classes, targets, weights, pickling and determinism runs
our code on text. The rest of the contract is tested explicitly on texts.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted, validate_data

from closing_signal import ClosingSignalClassifier

X = ["I really want this job", "Count me in!", "I'm excited to join", "I'd love to work here",
     "What are the next steps?", "Thanks for your time", "When will I hear back?", "Maybe, I need to think",
     "I'm not interested", "I'll pass, thanks", "I've accepted another offer", "I'd like to withdraw"] * 2
y = ["interest"] * 4 + ["ambiguous"] * 4 + ["disinterest"] * 4
y = y * 2


def _as_text(X) -> list[str]:
    return [" ".join(f"f{j}{'p' if v > 0 else 'n'}{min(int(abs(v) * 2), 9)}" for j, v in enumerate(row))
            for row in np.asarray(X, dtype=float)]


class NumbersAsText(ClosingSignalClassifier):
    """ClosingSignalClassifier on numeric rows written as texts, for scikit-learn's checks."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(_as_text(validate_data(self, X, reset=True)), y, sample_weight=sample_weight)

    def predict_proba(self, X):
        check_is_fitted(self, "scorer_")
        return super().predict_proba(_as_text(validate_data(self, X, reset=False)))

    def decision_function(self, X):
        check_is_fitted(self, "scorer_")
        return super().decision_function(_as_text(validate_data(self, X, reset=False)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string, tags.input_tags.two_d_array = False, True
        return tags


EXPECTED_FAILED = {
    # scikit-learn passes `cv` a list of splits there; ours takes a number of folds only
    "check_sample_weight_equivalence_on_dense_data": "cv takes a number of folds, not a list of splits",
}


@parametrize_with_checks([NumbersAsText(cv=2, augment="none")], expected_failed_checks=lambda est: EXPECTED_FAILED)
def test_sklearn_checks(estimator, check):
    check(estimator)


def test_the_checks_really_run():
    """Before the adapter, the string tag let one check run; now the generic checks run on our code."""
    from sklearn.utils.estimator_checks import estimator_checks_generator

    names = [getattr(c, "func", c).__name__
             for _, c in estimator_checks_generator(NumbersAsText(cv=2), legacy=True, mark=None)]
    assert len(names) >= 55, len(names)
    assert {"check_classifiers_train", "check_classifiers_classes", "check_supervised_y_2d",
            "check_classifiers_regression_target", "check_fit_idempotent", "check_estimators_pickle"} <= set(names)


@pytest.fixture(scope="module")
def fitted():
    return ClosingSignalClassifier(cv=2).fit(X, y)


def test_init_only_stores_params_and_clone_roundtrips():
    est = ClosingSignalClassifier(C=0.3, min_df=2, bigrams=False)
    assert not [k for k in vars(est) if k.endswith("_")]
    c = clone(est)
    assert c.get_params() == est.get_params() and c is not est
    assert est.set_params(C=2.0).C == 2.0


def test_fit_predict_proba_classes(fitted):
    assert list(fitted.classes_) == ["ambiguous", "disinterest", "interest"]
    proba = fitted.predict_proba(["Sign me up", "No thanks"])
    assert proba.shape == (2, 3) and np.allclose(proba.sum(axis=1), 1)
    assert list(fitted.predict(["Sign me up", "I withdraw"])) == [
        fitted.classes_[np.argmax(p)] for p in fitted.predict_proba(["Sign me up", "I withdraw"])]
    assert fitted.decision_function(["x"]).shape == (1, 3)
    assert fitted.score(X, y) > 0.9


def test_not_fitted_raises():
    with pytest.raises(NotFittedError):
        ClosingSignalClassifier().predict(["hello"])


@pytest.mark.parametrize("params", [{"C": 0}, {"C": -1.0}, {"min_df": 0}, {"calibration": "isotonic"}, {"cv": 1}])
def test_bad_params_fail_with_sklearn_message(params):
    with pytest.raises(InvalidParameterError, match="parameter of ClosingSignalClassifier"):
        ClosingSignalClassifier(**params).fit(X, y)


def test_bad_inputs():
    with pytest.raises(TypeError, match="single str"):
        ClosingSignalClassifier().fit("one text", ["interest"])
    with pytest.raises(TypeError, match=r"X\[1\] must be a str"):
        ClosingSignalClassifier().fit(["ok", 3], ["interest", "ambiguous"])
    with pytest.raises(ValueError, match="one label per text"):
        ClosingSignalClassifier().fit(["a", "b"], ["interest"])


def test_works_in_pipeline_and_grid_search():
    pipe = Pipeline([("strip", FunctionTransformer(lambda xs: [x.strip() for x in xs])),
                     ("clf", ClosingSignalClassifier(cv=2))])
    pipe.fit([f"  {x} " for x in X], y)
    assert pipe.predict(["  count me in  "])[0] == "interest"
    grid = GridSearchCV(ClosingSignalClassifier(cv=2), {"C": [0.5, 2.0]}, cv=2).fit(X, y)
    assert grid.best_params_["C"] in (0.5, 2.0)


def test_pickle_roundtrip_gives_same_probabilities(fitted):
    again = pickle.loads(pickle.dumps(fitted))
    texts = ["I'd love to join", "what's next", "not for me"]
    assert np.array_equal(again.predict_proba(texts), fitted.predict_proba(texts))


def test_deterministic_fit():
    a = ClosingSignalClassifier(cv=2, random_state=1).fit(X, y)
    b = ClosingSignalClassifier(cv=2, random_state=1).fit(X, y)
    assert np.array_equal(a.scorer_.coef, b.scorer_.coef) and a.temperature_ == b.temperature_


def test_the_estimator_scores_through_the_component_batch_method(fitted, monkeypatch, tmp_path):
    """One scoring path: ``predict_proba``, ``decision_function`` and ``calibrate``
    turn texts into numbers through ``ClosingSignalComponent.score_docs``."""
    from closing_signal.pipeline.component import ClosingSignalComponent

    calls = []
    real = ClosingSignalComponent.score_docs

    def counting(self, docs):
        calls.append(self)
        return real(self, docs)

    monkeypatch.setattr(ClosingSignalComponent, "score_docs", counting)
    proba = fitted.predict_proba(X[:5])
    assert len(calls) == 1 and calls[0].scorer is fitted.scorer_
    logits = fitted.decision_function(X[:5])
    assert len(calls) == 2
    z = logits / fitted.temperature_
    expect = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(proba, expect / expect.sum(axis=1, keepdims=True), rtol=1e-12)
    # a component holding an estimator's weights is never written as a model...
    two = ClosingSignalClassifier(augment="none", cv=2).fit(X[:8], y[:8])
    assert list(two.classes_) == ["ambiguous", "interest"]
    with pytest.raises(ValueError, match="closing_signal model has each of"):
        two._scoring_component().to_disk(tmp_path / "m")
    assert not (tmp_path / "m" / "meta.json").exists()
    # ...and a pipeline component still refuses anything but the three labels
    with pytest.raises(ValueError, match="closing_signal model has each of"):
        ClosingSignalComponent(fitted._tokenizer(), model=None).use(two.scorer_, two.lexicon_)
