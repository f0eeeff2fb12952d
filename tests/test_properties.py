"""Hypothesis properties of the public API."""

from hypothesis import given, settings
from hypothesis import strategies as st

from closing_signal import LABELS

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
wordy = st.lists(st.sampled_from(["i", "am", "not", "really", "excited", "pass", "um", "next", "steps", "?",
                                  "but", "love", "it", "no", "thanks", ",", "withdraw", "if", "maybe", "."]),
                 max_size=30).map(" ".join)


@settings(max_examples=200)
@given(st.one_of(texts, wordy))
def test_any_text_gives_a_valid_prediction(model, text):
    p = model.predict(text)
    assert p.label in LABELS
    assert set(p.probabilities) == set(LABELS)
    assert all(0.0 <= v <= 1.0 for v in p.probabilities.values())
    assert abs(sum(p.probabilities.values()) - 1.0) < 1e-9
    for e in p.evidence:
        assert text[e.start:e.end] == e.text


@settings(max_examples=50)
@given(st.lists(st.one_of(texts, wordy), max_size=25), st.integers(1, 7))
def test_predict_many_equals_predict_elementwise_in_order(model, items, batch_size):
    assert list(model.predict_many(items, batch_size=batch_size)) == [model.predict(t) for t in items]


@settings(max_examples=50)
@given(st.one_of(texts, wordy))
def test_deterministic(model, text):
    assert model.predict(text) == model.predict(text)


@settings(max_examples=200)
@given(st.lists(st.integers(0, 2**40), max_size=200), st.sampled_from(["int64", "uint64"]))
def test_array_unique_primitives_are_numpys_unique(values, dtype):
    """The sort-based primitives the batch code uses in place of ``np.unique``
    (several times faster there) return exactly what ``np.unique`` returns."""
    import numpy as np

    from closing_signal.analysis.arrays import unique_inverse, unique_sorted

    x = np.array(values, dtype=dtype)
    assert np.array_equal(unique_sorted(x), np.unique(x))
    got, want = unique_inverse(x), np.unique(x, return_inverse=True)
    for g, w in zip(got, want):
        assert np.array_equal(g, w.reshape(-1))
    assert got[0].dtype == x.dtype
