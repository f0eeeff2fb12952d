"""Garbage in: property-based fuzzing of the readers, the decoder and the API,
and faults in batch runs. Every failure must be a documented error type."""

import json
import os
import random

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from closing_signal.transcripts import TranscriptError, parse_transcript, score_transcripts
from closing_signal.transcripts.decode import decode
from closing_signal.transcripts.readers import FORMATS

pytestmark = pytest.mark.fuzz

ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
NASTY = st.sampled_from(["\u200b", "\u202e", "\ufeff", "\x00", "\x1b[31m", "👍🏽", "שלום", "مرحبا", "\r\n", "\t", "-->",
                         "WEBVTT", "<v ", ">", "1\n", "00:00:01,000 --> 00:00:02,000\n", ":", "SPEAKER_00:", '{"', "[",
                         ",", '"', "\n\n", "Interviewer:", "Candidate:", "  0:03\n"])
SPICY = st.lists(st.one_of(NASTY, ANY_TEXT.map(lambda s: s[:20])), max_size=40).map("".join)

with open(os.path.join(os.path.dirname(__file__), "..", "data", "transcripts", "t07_teams.vtt"), encoding="utf-8") as f:
    VTT = f.read()
with open(os.path.join(os.path.dirname(__file__), "..", "data", "transcripts", "t11_subs.srt"), encoding="utf-8") as f:
    SRT = f.read()
with open(os.path.join(os.path.dirname(__file__), "..", "data", "transcripts", "t14_utterances_letters.json"),
          encoding="utf-8") as f:
    JSON = f.read()
with open(os.path.join(os.path.dirname(__file__), "..", "data", "transcripts", "t16_export.csv"), encoding="utf-8") as f:
    CSV = f.read()
SAMPLES = [VTT, SRT, JSON, CSV]


@st.composite
def damaged(draw):
    """A real export, truncated, with lines shuffled or bytes flipped."""
    text = draw(st.sampled_from(SAMPLES))
    how = draw(st.sampled_from(["truncate", "shuffle", "splice", "drop"]))
    if how == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    lines = text.splitlines()
    rng = random.Random(draw(st.integers(0, 2**32)))
    if how == "shuffle":
        rng.shuffle(lines)
    elif how == "splice":
        i = rng.randrange(len(lines))
        lines.insert(i, draw(SPICY))
    else:
        lines = [ln for ln in lines if rng.random() > 0.3]
    return "\n".join(lines)


FUZZ = settings(max_examples=2500, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(st.one_of(ANY_TEXT, SPICY, damaged()), st.sampled_from([None, *FORMATS]))
def test_readers_return_a_transcript_or_a_transcript_error(text, fmt):
    try:
        t = parse_transcript(text, format=fmt, source="fuzz.txt")
    except TranscriptError as e:
        assert "fuzz.txt" in str(e)
        return
    assert t.turns and all(isinstance(turn.text, str) and turn.text for turn in t.turns)


@FUZZ
@given(st.binary(max_size=600))
def test_decoder_returns_text_or_a_transcript_error(data):
    try:
        text, enc = decode(data, "bytes.bin")
    except TranscriptError as e:
        assert "bytes.bin" in str(e)
        return
    assert isinstance(text, str) and enc in ("utf-8", "utf-16", "cp1252")


@settings(max_examples=2500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(ANY_TEXT, SPICY))
def test_predict_accepts_any_text(model, text):
    p = model.predict(text)
    assert abs(sum(p.probabilities.values()) - 1) < 1e-9
    assert all(text[e.start:e.end] == e.text for e in p.evidence)


@settings(max_examples=2500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(SPICY, damaged()))
@example("Interviewer: " + "\u200b" * 300)  # one line too long to be a file name: text, not an OSError
def test_score_transcript_on_any_text_is_a_result_or_a_transcript_error(model, text):
    from closing_signal import score_transcript

    try:
        r = score_transcript(text, model=model) if text.strip() else None
    except TranscriptError:
        return
    if r is not None:
        assert r.label in ("interest", "ambiguous", "disinterest")


def test_a_worker_that_dies_takes_only_its_own_file(model, tmp_path, monkeypatch):
    from closing_signal.parallel import start_method
    from closing_signal.transcripts import batch

    if start_method() != "fork":
        pytest.skip("needs fork workers to plant the crash")
    real = batch.score_files

    def crashing(paths, *a, **k):
        if any(str(p).endswith("poison.txt") for p in paths):
            os._exit(9)  # a segfault or the OOM killer, as far as the pool can tell
        return real(paths, *a, **k)

    monkeypatch.setattr(batch, "score_files", crashing)
    paths = []
    for i in range(8):
        p = tmp_path / ("poison.txt" if i == 3 else f"ok{i}.txt")
        p.write_text("Recruiter: Any questions for us?\nSam: Count me in!\n")
        paths.append(p)
    rows = list(score_transcripts(paths, n_jobs=2, model=model))
    assert [r.source for r in rows] == [str(p) for p in paths]
    assert [r.error is not None for r in rows] == [i == 3 for i in range(8)]
    assert "worker process scoring this file died" in rows[3].error


def test_hundred_thousand_turns(model):
    lines = []
    for i in range(50_000):
        lines.append(f"Interviewer: Question number {i}?")
        lines.append(f"Candidate: Answer number {i}.")
    lines[-1] = "Candidate: I'd love to join, count me in."
    r = parse_transcript("\n".join(lines))
    assert len(r.turns) == 100_000
    from closing_signal.transcripts.scoring import score_parsed

    assert score_parsed(r, model).label == "interest"


def test_json_nesting_bomb_is_an_error_not_a_crash():
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(TranscriptError):
        parse_transcript(text, format="json", source="bomb.json")


def test_csv_with_a_huge_field_is_handled(tmp_path):
    text = "speaker,text\nA,Any questions?\nB," + "x" * 200_000 + "\n"
    try:
        t = parse_transcript(text, format="csv", source="big.csv")
        assert len(t.turns) == 2
    except TranscriptError as e:
        assert "big.csv" in str(e)


def test_json_rows_are_always_json(tmp_path):
    from closing_signal.output import RowWriter

    w = RowWriter(str(tmp_path / "r.jsonl"))
    w.write({"file": "a\nb\u2028", "label": None, "advice": "x" * 10_000, "error": "\x00"})
    w.close()
    (line,) = (tmp_path / "r.jsonl").read_text(encoding="utf-8").split("\n")[:-1]
    assert json.loads(line)["file"] == "a\nb\u2028"


def test_fifty_megabyte_transcript_in_bounded_memory_and_time(tmp_path):
    """A 50 MB transcript is scored in one process whose peak RSS stays under
    1.5 GiB (about the model's ~0.4 GiB plus ~20 bytes of Python objects per
    byte of transcript at most) and within a few minutes."""
    import subprocess
    import sys
    import time

    path = tmp_path / "huge.txt"
    line_pairs = ("Interviewer: Could you tell me more about that, please, in as much detail as you like?\n"
                  "Candidate: Sure. I handled the night shift inventory, trained new staff and ran the weekly "
                  "safety walk, and I kept the incident log up to date for the site manager.\n")
    with open(path, "w", encoding="utf-8") as f:
        while f.tell() < 50 * 2**20:
            f.write(line_pairs * 1000)
        f.write("Interviewer: Do you have any questions for us?\nCandidate: No. Honestly, I'd love this job.\n")
    code = ("import resource, sys\nfrom closing_signal.cli import main\n"
            f"rc = main(['score', {str(path)!r}, '--out', {str(tmp_path / 'r.jsonl')!r}])\n"
            "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(rc)\n")
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    assert out.returncode == 0, out.stderr[-500:]
    peak = int(out.stderr.rsplit("PEAK", 1)[1].split()[0]) / 2**20  # KiB -> GiB
    row = json.loads((tmp_path / "r.jsonl").read_text())
    assert row["label"] == "interest" and row["candidate"] == "Candidate"
    assert peak < 1.5, f"peak RSS {peak:.2f} GiB"
    assert elapsed < 300


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=800), st.sampled_from([".txt", ".vtt", ".srt", ".json", ".csv", ".bin"]))
def test_random_bytes_as_a_file_become_a_row_never_an_exception(model, tmp_path_factory, data, suffix):
    from closing_signal.transcripts import score_file

    path = tmp_path_factory.mktemp("fz") / f"file{suffix}"
    path.write_bytes(data)
    row = score_file(path, model).to_row()
    assert (row["error"] is None) != (row["label"] is None)
    if row["error"]:
        assert str(path) in row["error"] and "internal error" not in row["error"]
