"""The spaCy side: registered factories, doc.cats, spans, and disk round trips."""

import json
import subprocess
import sys

import numpy as np
import pytest
import spacy

from closing_signal.pipeline.build import make_pipeline

TEXTS = ["I'd love to move forward — what are the next steps?", "Thanks, but this job is not for me.",
         "When should I expect to hear back?", "um i i cant wait to start honestly"]


@pytest.fixture(scope="module")
def nlp():
    return make_pipeline()


def test_factories_come_from_the_entry_point():
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="spacy_factories")}
    assert {"closing_signal", "closing_signal_clauses", "closing_signal_cues"} <= names


def test_doc_cats_sum_to_one_and_pick_the_label(nlp):
    docs = list(nlp.pipe(TEXTS))
    best = [max(d.cats, key=d.cats.get) for d in docs]
    assert best == ["interest", "disinterest", "ambiguous", "interest"]
    for d in docs:
        assert set(d.cats) == {"interest", "ambiguous", "disinterest"}
        assert abs(sum(d.cats.values()) - 1) < 1e-9
        assert d._.closing_evidence is not None


def test_pipe_equals_call(nlp):
    assert [d.cats for d in nlp.pipe(TEXTS, batch_size=2)] == [nlp(t).cats for t in TEXTS]


def test_clause_and_cue_spans_and_negation(nlp):
    doc = nlp("I was excited at first, but with the travel I don't think it's for me.")
    clauses = [s.text for s in doc.spans["closing_clauses"]]
    assert clauses == ["I was excited at first", "but with the travel I don't think it's for me"]
    cues = {(s.text, s.label_) for s in doc.spans["closing_cues"]}
    assert ("excited", "INTEREST") in cues and ("for me", "FIT+NEG") in cues
    assert [t.text for t in doc if t._.closing_negated][:2] == ["think", "it"]
    doc = nlp("I couldn't be more excited")  # a negator inside an intensifier opens no scope
    assert not any(t._.closing_negated for t in doc)
    assert ("couldn't be more", "INTENSIFIER") in {(s.text, s.label_) for s in doc.spans["closing_cues"]}


def test_fillers_do_not_break_cue_phrases(nlp):
    doc = nlp("i'd uh love to um move forward")
    labels = {s.label_ for s in doc.spans["closing_cues"]}
    assert {"INTEREST", "MOVE_FORWARD"} <= labels


def test_add_pipe_to_a_users_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("closing_signal")   # no cue components: it analyses on its own
    doc = nlp("Sign me up! Seriously.")
    assert max(doc.cats, key=doc.cats.get) == "interest"


def test_untrained_component_says_what_to_do():
    nlp = spacy.blank("en")
    nlp.add_pipe("closing_signal", config={"model": None})
    with pytest.raises(ValueError, match="has no model"):
        nlp("hello")


def test_to_disk_and_spacy_load_in_a_fresh_process(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipe")
    expected = [nlp(t).cats for t in TEXTS]
    code = (
        "import json, sys, spacy\n"
        f"nlp = spacy.load({str(tmp_path / 'pipe')!r})\n"
        f"print(json.dumps([nlp(t).cats for t in {TEXTS!r}]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == expected


def _records(path, n=None):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    recs = [json.loads(line) for line in lines if line.strip()]
    return recs[:n] if n else recs


def test_nlp_evaluate_scores_real_examples(nlp):
    from spacy.training import Example

    labels = ("interest", "ambiguous", "disinterest")
    examples = [Example.from_dict(nlp.make_doc(r["text"]), {"cats": {k: float(k == r["label"]) for k in labels}})
                for r in _records("data/test.jsonl")]
    scores = nlp.evaluate(examples)
    assert 0.5 < scores["cats_macro_f"] <= 1.0
    assert set(scores["cats_f_per_type"]) == set(labels)
    assert scores["cats_score"] == scores["cats_macro_f"]
    # the weights the factory declares name a score that evaluate returns
    weights = nlp.get_pipe_meta("closing_signal").default_score_weights
    assert set(weights) <= set(scores)


def test_model_predict_equals_doc_cats_exactly(nlp):
    import closing_signal

    model = closing_signal.load()
    texts = [r["text"] for r in _records("data/real/test.jsonl", 300)]
    assert len(texts) >= 200
    for t in texts:
        assert model.predict(t).probabilities == nlp(t).cats, t


def test_a_model_over_a_pipeline_with_other_components_runs_them(model):
    """``Model`` tokenizes directly when its pipeline has only our components,
    and through ``nlp.pipe`` (running the others) when it has more: the
    probabilities are the same either way, and the other components do run."""
    from spacy.language import Language

    from closing_signal import Model

    seen = []
    name = "test_counting_component"
    if name not in Language.factories:
        @Language.component(name)
        def counting(doc):
            doc.user_data["counted"] = True
            return doc

    nlp = make_pipeline()
    nlp.add_pipe(name, first=True)
    other = Model(nlp)
    texts = ["Sign me up! Seriously.", "What are the next steps?", "I'll pass, thanks.", ""]
    real_pipe = nlp.pipe

    def spying_pipe(*args, **kwargs):
        seen.append(kwargs.get("disable"))
        return real_pipe(*args, **kwargs)

    nlp.pipe = spying_pipe
    got = other.predict_batch(texts).probabilities
    assert seen and name not in seen[0]
    np.testing.assert_array_equal(got, model.predict_batch(texts).probabilities)
