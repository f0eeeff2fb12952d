"""Each rule of LABELS.md as a table of cases, plus invariance to speech noise.

A failing rule is a failing test: nothing in RULES is skipped or marked xfail.
The known gaps (rule_cases.KNOWN_GAPS) are strict expected failures: each
states what the shipped model still gets wrong, and fails the suite the day
it gets it right (move it to RULES then).
"""

import re

import pytest
from rule_cases import INVARIANCE, KNOWN_GAPS, RULES

CASES = [(rule, text, gold) for rule, cases in RULES.items() for text, gold in cases]


@pytest.mark.parametrize("rule,text,gold", CASES, ids=[f"{r}:{t[:40]}" for r, t, _ in CASES])
def test_rule(model, rule, text, gold):
    p = model.predict(text)
    assert p.label == gold, f"{rule}: {text!r} -> {p.label.value} {p.probabilities}"


GAPS = [(rule, text, gold) for rule, cases in KNOWN_GAPS.items() for text, gold in cases]


@pytest.mark.xfail(strict=True, reason="a known gap of the shipped model (real-world language issue): double "
                                       "negation, conditions on terms, some acceptances and declines")
@pytest.mark.parametrize("rule,text,gold", GAPS, ids=[f"{r}:{t[:40]}" for r, t, _ in GAPS])
def test_known_gap(model, rule, text, gold):
    assert model.predict(text).label == gold


def test_known_gaps_are_not_also_rules():
    assert not {t for _, t, _ in GAPS} & {t for _, t, _ in CASES}


def _variants(text):
    yield "lower", text.lower()
    yield "no_punct", re.sub(r"[^\w\s']", "", text)
    yield "fillers", "um " + text.replace(", ", " uh ").replace(" I ", " I I ")
    yield "asr", "yeah so uh " + re.sub(r"[^\w\s']", "", text.lower())


@pytest.mark.parametrize("text,gold", INVARIANCE)
def test_invariant_to_speech_noise(model, text, gold):
    assert model.predict(text).label == gold
    for kind, variant in _variants(text):
        assert model.predict(variant).label == gold, f"{kind}: {variant!r}"


@pytest.mark.xfail(strict=True, reason="a lone utterance has no speaker: the model reads the interviewer's "
                                       "'we're excited about you' as interest (0.74); in a transcript the "
                                       "interviewer's turns are never scored (test_transcripts)")
def test_interviewer_words_are_not_read_as_candidate_stance(model):
    # rule 8: the interviewer's enthusiasm states no stance of the candidate's: ambiguous
    assert model.predict("We're really excited about you!").label == "ambiguous"
