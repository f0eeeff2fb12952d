import subprocess
import sys
import time
import tracemalloc

import pytest

import closing_signal
from closing_signal import LABELS, Label, Prediction


def test_predict_returns_label_probabilities_and_evidence(model):
    text = "I'd love to move forward — what are the next steps?"
    p = model.predict(text)
    assert isinstance(p, Prediction)
    assert p.label == "interest" and p.label is Label.INTEREST
    assert set(p.probabilities) == set(LABELS)
    assert abs(sum(p.probabilities.values()) - 1) < 1e-9
    assert max(p.probabilities, key=p.probabilities.get) == p.label
    assert p.evidence, "an explicit statement of interest must come with evidence"
    for e in p.evidence:
        assert text[e.start:e.end] == e.text
        assert e.weight > 0
    assert any(e.cue and e.cue.startswith(("INTEREST", "MOVE_FORWARD")) for e in p.evidence)


def test_evidence_points_at_the_decline(model):
    text = "Thanks for everything, but I've decided to withdraw my application."
    p = model.predict(text)
    assert p.label == "disinterest"
    assert any("withdraw" in e.text for e in p.evidence)


def test_predict_many_keeps_order_and_matches_predict(model):
    texts = ["Count me in!", "When will I hear back?", "I'll pass, thanks.", "", "I'm keen."] * 3
    many = list(model.predict_many(iter(texts), batch_size=4))
    assert many == [model.predict(t) for t in texts]


def test_predict_many_two_processes_equals_one(model):
    texts = [f"{t} ({i})" for i, t in enumerate(["Count me in!", "What are the next steps?", "I'm out."] * 40)]
    assert list(model.predict_many(texts, batch_size=16, n_process=2)) == list(model.predict_many(texts))


def test_evidence_is_computed_when_read_and_survives_pickling(model):
    import pickle

    text = "Thanks so much, but I've decided to withdraw."
    p = next(model.predict_many([text]))
    assert callable(p._evidence)  # not computed yet
    assert p.evidence == model.predict(text).evidence
    assert any(e.cue == "DECLINE" for e in p.evidence)
    q = next(model.predict_many([text]))
    assert pickle.loads(pickle.dumps(q)) == p  # pickling computes it first: no function is pickled
    with pytest.raises(AttributeError):
        p.label = Label.INTEREST


def test_word_table_starting_afresh_changes_no_prediction():
    """The normalization cache is bounded: past its limit it starts afresh
    between batches. Predictions must not depend on when that happens."""
    texts = [f"I'd love to join the team {i}, but word{i} wordy{i} is my worry." for i in range(60)]
    texts += ["Count me in!", "I'll pass, thanks.", "um so what are the next steps?"] * 5
    small = closing_signal.load()
    words = small.component.lexicon.words
    words.limit = 40
    first = words.generation
    got = list(small.predict_many(texts, batch_size=7))
    assert words.generation > first + 2  # it really started afresh, several times
    fresh = closing_signal.load()
    assert got == [fresh.predict(t) for t in texts]


@pytest.mark.parametrize("bad", [None, 42, 3.5, b"I want this job", ["a list"]])
def test_non_text_input_raises_type_error(model, bad):
    with pytest.raises(TypeError, match="must be a str"):
        model.predict(bad)


def test_bad_item_in_batch_names_its_position(model):
    with pytest.raises(TypeError, match=r"texts\[2\]"):
        list(model.predict_many(["ok", "fine", None]))
    with pytest.raises(TypeError, match="not a str"):
        list(model.predict_many("a single string"))
    with pytest.raises(ValueError, match="batch_size"):
        list(model.predict_many(["x"], batch_size=0))


@pytest.mark.parametrize("empty", ["", "   ", "\n\t", "...", "😀"])
def test_empty_or_wordless_text_is_ambiguous(model, empty):
    p = model.predict(empty)
    assert p.label == "ambiguous" and p.probabilities["ambiguous"] == 1.0 and p.evidence == ()


def test_one_megabyte_text_is_bounded_and_reads_the_end(model):
    text = "I was excited about the role at first, and the team was great. " * 16_000 + \
        "But honestly, I've decided to withdraw my application."
    assert len(text) > 1_000_000
    tracemalloc.start()
    t = time.perf_counter()
    p = model.predict(text)
    elapsed = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert p.label == "disinterest"
    assert all(text[e.start:e.end] == e.text for e in p.evidence)
    assert elapsed < 30  # generous: a broken bound would take minutes
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_import_loads_no_model_and_opens_no_socket():
    code = """
import sys
events = []
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].endswith(("coef.npy", "meta.json", "features.json")):
        events.append(args[0])
    # some dependencies probe IPv6 support with a local bind at import; contact is what matters
    if event in ("socket.connect", "socket.getaddrinfo", "socket.sendto", "socket.sendmsg", "urllib.Request"):
        events.append(event)
sys.addaudithook(hook)
import closing_signal
print(len(events))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0", out.stdout + out.stderr


def test_load_path_and_bad_path(model, tmp_path):
    path = model.to_disk(tmp_path / "m")
    assert closing_signal.load(path).predict("Count me in").label == "interest"
    with pytest.raises(closing_signal.ModelFileError, match="not a model directory"):
        closing_signal.load(tmp_path / "missing")


def test_import_is_light():
    code = "import sys, closing_signal; print('spacy' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
