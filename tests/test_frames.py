"""DataFrames: predict_frame on pandas, score_frame on pandas and Dask, clear errors."""

import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

import closing_signal  # noqa: E402
from closing_signal.frames import FRAME_COLUMNS, predict_frame, score_frame  # noqa: E402

TEXTS = ["I'd love to join the team!", "What are the next steps?", "I've accepted another offer, sorry.",
         None, "Thanks, but this isn't for me."]


def test_predict_frame_matches_predict_many(model):
    df = pd.DataFrame({"id": range(5), "text": TEXTS}, index=list("abcde"))
    out = predict_frame(df, model=model)
    assert list(out.columns) == ["id", "text", *FRAME_COLUMNS] and list(out.index) == list("abcde")
    preds = list(model.predict_many([t or "" for t in TEXTS]))
    assert out["label"].tolist() == [p.label.value for p in preds]
    probs = out[["p_interest", "p_ambiguous", "p_disinterest"]].to_numpy()
    assert np.allclose(probs, [[p.probabilities[k] for k in ("interest", "ambiguous", "disinterest")] for p in preds])
    assert out.loc["d", "label"] == "ambiguous" and out.loc["a", "evidence"]
    assert "text" in df.columns and "label" not in df.columns  # the input is not changed


def test_predict_frame_errors(model):
    with pytest.raises(KeyError, match="no column 'body'"):
        predict_frame(pd.DataFrame({"text": ["x"]}), "body", model=model)
    with pytest.raises(ValueError, match="already has"):
        predict_frame(pd.DataFrame({"text": ["x"], "label": ["y"]}), model=model)
    with pytest.raises(TypeError, match="pandas DataFrame"):
        predict_frame([{"text": "x"}], model=model)


def test_score_frame_on_pandas_and_dask_agree(model):
    dd = pytest.importorskip("dask.dataframe")
    df = pd.DataFrame({"text": [t or "" for t in TEXTS]})
    plain = score_frame(df)
    lazy = score_frame(dd.from_pandas(df, npartitions=2))
    got = lazy.compute()
    assert got["label"].tolist() == plain["label"].tolist()
    assert np.allclose(got["p_interest"].to_numpy(), plain["p_interest"].to_numpy())
    assert got["evidence"].tolist() == plain["evidence"].tolist()
    assert closing_signal.score_frame is score_frame


def test_without_pandas_the_error_says_what_to_install():
    code = ("import sys; sys.modules['pandas'] = None\n"
            "from closing_signal.frames import predict_frame\n"
            "try:\n    predict_frame(None)\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'closing-signal[pandas]'" in out
