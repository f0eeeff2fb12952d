"""Item 9 of the safety issue: one Model serves many threads.

The promise (for SECURITY.md, "Bounds"): a model used from several threads at
once — predict, predict_many, evidence read later, model.nlp(text) — gives
exactly the probabilities it gives in one thread, also once its word table
has started afresh and while spaCy memory zones open and close; worker
processes started meanwhile never inherit a held lock.
"""

import json
import pickle
import threading
from pathlib import Path

import numpy as np
import pytest

import closing_signal
from closing_signal import LABELS

ROOT = Path(__file__).resolve().parents[1]
N_THREADS = 8


def _corpus() -> list[str]:
    return [json.loads(line)["text"] for line in (ROOT / "data" / "dev.jsonl").read_text().splitlines() if line]


def _texts(n: int, salt: str) -> list[str]:
    """Closings with words never seen before, so the word table, spaCy's
    vocabulary and the memory zones all have work to do."""
    base = _corpus()
    return [f"{base[i % len(base)]} {salt}{i} w{i * 7919 % 100_003}x" for i in range(n)]


def _row(probabilities: dict) -> list[float]:
    return [probabilities[k] for k in LABELS]


def _busy_model():
    """A model whose word table is small, has already started afresh, and that
    opens a memory zone for every batch (past its warm-up)."""
    model = closing_signal.load()
    model.WARM = 200
    words = model.component.lexicon.words
    words.limit = 400
    first = words.generation
    list(model.predict_many(_texts(1_000, "warm"), batch_size=100))
    assert words.generation > first + 1  # the table started afresh, more than once
    return model


def test_item9_eight_threads_give_single_thread_probabilities():
    texts = _texts(5_600, "new")
    reference = closing_signal.load()
    expected = np.array([_row(p.probabilities) for p in reference.predict_many(texts, batch_size=500)])
    evidence_expected = {i: reference.predict(texts[i]).evidence for i in range(0, len(texts), 97)}

    model = _busy_model()
    got = np.full((len(texts), len(LABELS)), np.nan)
    evidence_got = {}
    errors = []
    barrier = threading.Barrier(N_THREADS)

    def work(k: int) -> None:
        try:
            mine = list(range(k, len(texts), N_THREADS))
            barrier.wait()
            for start in range(0, len(mine), 60):
                part = mine[start:start + 60]
                how = (k + start // 60) % 3
                if how == 0:  # one at a time
                    for i in part:
                        got[i] = _row(model.predict(texts[i]).probabilities)
                elif how == 1:  # lazily, in batches; some evidence read later
                    preds = list(model.predict_many((texts[i] for i in part), batch_size=23))
                    for i, p in zip(part, preds):
                        got[i] = _row(p.probabilities)
                        if i in evidence_expected:
                            evidence_got[i] = p.evidence
                else:  # the spaCy pipeline itself
                    for i in part:
                        got[i] = _row(model.nlp(texts[i]).cats)
        except BaseException as e:  # noqa: BLE001 - reported below, with its thread
            errors.append((k, repr(e)))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(N_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    assert not errors, errors[:3]
    wrong = np.flatnonzero(~(got == expected).all(axis=1))
    assert np.array_equal(got, expected), f"{len(wrong)} of {len(texts)} texts differ, e.g. {texts[wrong[0]]!r}"
    assert evidence_got and all(evidence_got[i] == evidence_expected[i] for i in evidence_got)


_FORK_SCRIPT = """
import sys, threading
sys.path.insert(0, sys.argv[1])
import closing_signal
from test_threads import _busy_model, _texts

model = _busy_model()
texts = _texts(400, "fork")
expected = [p.probabilities for p in closing_signal.load().predict_many(texts)]
stop = threading.Event()

def hammer():
    while not stop.is_set():
        next(model.predict_many(texts[:50], batch_size=10))
        model.predict("I'd love to move forward.")

threads = [threading.Thread(target=hammer) for _ in range(3)]
for t in threads:
    t.start()
try:
    got = [p.probabilities for p in model.predict_many(texts, batch_size=25, n_process=2)]
finally:
    stop.set()
assert got == expected
print("ok")
"""


def test_item9_worker_processes_start_while_other_threads_predict():
    """A fork waits for the model's lock: a worker process never inherits it
    held by another thread (it would hang) nor a batch half done. Run in a
    process of its own, killed with its workers if it hangs."""
    import os
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", _FORK_SCRIPT, str(Path(__file__).parent)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("predict_many(n_process=2) hangs while other threads use the model")
    assert proc.returncode == 0 and out.strip() == "ok", err[-2000:]


def test_item9_pickled_model_gets_a_fresh_lock_and_the_same_probabilities(model):
    texts = ["Count me in!", "What are the next steps?", "I'll pass, thanks."]
    again = pickle.loads(pickle.dumps(model))
    assert again.component.lock is not model.component.lock
    assert [p.probabilities for p in again.predict_many(texts)] == [p.probabilities for p in model.predict_many(texts)]
    assert [again.nlp(t).cats for t in texts] == [model.nlp(t).cats for t in texts]


def test_item9_an_analysis_is_only_scored_in_the_thread_that_made_it(model):
    from closing_signal.pipeline.analysis import analyze

    comp = model.component
    made = []
    t = threading.Thread(target=lambda: made.append(analyze([model.nlp.make_doc("Count me in!")], comp.lexicon)))
    t.start()
    t.join()
    with pytest.raises(ValueError, match="another thread"):
        comp.score_analysis(made[0])
