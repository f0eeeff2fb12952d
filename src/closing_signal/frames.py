"""DataFrames in, DataFrames out: label a text column of a pandas (or Dask) frame.

``pip install 'closing-signal[pandas]'`` (Dask frames: ``[dask]``).

>>> import pandas as pd
>>> df = pd.DataFrame({"text": ["I'd love to join the team!", "What are the next steps?"]})
>>> out = predict_frame(df)
>>> list(out.columns)
['text', 'label', 'p_interest', 'p_ambiguous', 'p_disinterest', 'evidence']
>>> out["label"].tolist()
['interest', 'ambiguous']
"""

from __future__ import annotations

from .labels import LABELS

__all__ = ["predict_frame", "score_frame", "FRAME_COLUMNS"]

#: The columns :func:`predict_frame` adds, in order.
FRAME_COLUMNS = ("label", *(f"p_{lab}" for lab in LABELS), "evidence")


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("DataFrame scoring needs pandas: pip install 'closing-signal[pandas]'") from None
    return pd


def predict_frame(df, text_column: str = "text", *, model=None, batch_size: int = 1000, evidence: bool = True):
    """A copy of the pandas DataFrame ``df`` with ``label``, ``p_interest``,
    ``p_ambiguous``, ``p_disinterest`` and ``evidence`` (the deciding words,
    ``; ``-separated) added. Missing texts (NaN/None) are read as empty:
    ``ambiguous``. ``model`` defaults to the shipped one. The index is kept.
    """
    pd = _pandas()
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__} (Dask frames: score_frame)")
    if text_column not in df.columns:
        raise KeyError(f"no column {text_column!r}; columns are {list(df.columns)}")
    taken = [c for c in FRAME_COLUMNS if c in df.columns]
    if taken:
        raise ValueError(f"df already has column(s) {taken}; rename them first")
    if model is None:
        # startup time: spaCy loads only when a frame is scored
        from .model import load

        model = load()
    texts = ["" if pd.isna(t) else str(t) for t in df[text_column].tolist()]
    preds = list(model.predict_many(texts, batch_size=batch_size))
    out = df.copy()
    out["label"] = pd.array([p.label.value for p in preds], dtype="string")
    for lab in LABELS:
        out[f"p_{lab}"] = pd.array([p.probabilities[lab] for p in preds], dtype="float64")
    out["evidence"] = pd.array(["; ".join(e.text for e in p.evidence) if evidence else None for p in preds],
                               dtype="string")
    return out


def score_frame(df, text_column: str = "text", *, model_path=None, model=None):
    """:func:`predict_frame` for a pandas DataFrame, or for each partition of a
    Dask DataFrame (lazily; each worker loads the model at ``model_path`` once,
    ``None``: the model installed with the package)."""
    pd = _pandas()
    if isinstance(df, pd.DataFrame):
        if model is None and model_path is not None:
            # startup time: spaCy loads only when a frame is scored
            from .model import Model

            model = Model.from_disk(model_path)
        return predict_frame(df, text_column, model=model)
    if hasattr(df, "map_partitions"):  # a Dask DataFrame
        if text_column not in df.columns:
            raise KeyError(f"no column {text_column!r}; columns are {list(df.columns)}")
        meta = df._meta.copy()
        meta["label"] = pd.Series(dtype="string")
        for lab in LABELS:
            meta[f"p_{lab}"] = pd.Series(dtype="float64")
        meta["evidence"] = pd.Series(dtype="string")
        return df.map_partitions(_score_partition, text_column, None if model_path is None else str(model_path),
                                 meta=meta)
    raise TypeError(f"df must be a pandas or Dask DataFrame, got {type(df).__name__}")


def _score_partition(pdf, text_column: str, model_path: str | None):
    """One partition of a Dask frame, with the worker's model (loaded once per process)."""
    # startup time: spaCy loads only when a frame is scored
    from .model import worker_model

    return predict_frame(pdf, text_column, model=worker_model(model_path))
