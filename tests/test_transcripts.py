"""Transcripts: readers, candidate and closing, gold files, batch scoring and its errors."""

import codecs
import json
from pathlib import Path

import pytest

import closing_signal
from closing_signal.transcripts import (TranscriptError, detect_format, parse_transcript, read_transcript,
                                        score_transcript, score_transcripts)
from closing_signal.transcripts.closing import reply_stance
from closing_signal.transcripts.decode import decode

ROOT = Path(__file__).resolve().parents[1]
TDIR = ROOT / "data" / "transcripts"
GOLD = [json.loads(line) for line in (TDIR / "gold.jsonl").read_text(encoding="utf-8").splitlines()]


def test_gold_covers_every_format_and_the_traps():
    assert len(GOLD) >= 24
    assert {g["format"] for g in GOLD} == {"plain", "otter", "vtt", "srt", "json", "csv", "text"}
    assert {g["label"] for g in GOLD} == {"interest", "ambiguous", "disinterest"}


@pytest.mark.parametrize("gold", GOLD, ids=[g["file"] for g in GOLD])
def test_gold_label_and_candidate(model, gold):
    r = score_transcript(TDIR / gold["file"], model=model)
    assert (r.label, r.candidate, r.format) == (gold["label"], gold["candidate"], gold["format"]), r.candidate_method


def test_batch_in_order_and_two_jobs_equal_one(model):
    paths = [TDIR / g["file"] for g in GOLD]
    one = [r.to_row() for r in score_transcripts(paths, n_jobs=1, model=model)]
    two = [r.to_row() for r in score_transcripts(paths, n_jobs=2, model=model)]
    assert [r["file"] for r in one] == [str(p) for p in paths]
    assert one == two


def test_files_scored_together_equal_files_scored_alone(model, tmp_path):
    """A chunk of files is scored as one batch of closings; each row must be
    what that file gives alone, bad files included."""
    from closing_signal.transcripts import score_file
    from closing_signal.transcripts.batch import score_files

    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "silent.txt").write_text("Interviewer: Any questions?\nInterviewer: Thanks.\n")
    paths = [TDIR / g["file"] for g in GOLD] + [tmp_path / "silent.txt", tmp_path / "empty.txt",
                                                 tmp_path / "missing.txt"]
    together = [r.to_row() for r in score_files(paths, model)]
    alone = [score_file(p, model).to_row() for p in paths]
    assert together == alone
    assert [r["error"] is not None for r in together[-2:]] == [True, True]
    assert sum(r["advice"] is not None for r in together) >= 3  # ambiguous ones got advice from the batch's cues


def test_interviewer_enthusiasm_never_counts(model):
    text = ("Recruiter: Any questions for us?\nAlex: When will I hear back?\n"
            "Recruiter: Soon! We're so excited about you, we'd love to have you on the team!")
    r = score_transcript(text, model=model)
    assert r.label == "ambiguous" and r.candidate == "Alex"
    assert "next steps" in r.advice and "When will I hear back?" in r.advice


def test_closing_starts_at_the_cue_not_earlier(model):
    text = ("Interviewer: Why this company?\nKim: I'm so excited about this role, it's my dream job.\n"
            "Interviewer: The role needs weekend on-call. Do you have any questions for us?\n"
            "Kim: Honestly, with weekend on-call I don't think it's for me. I'll withdraw.")
    r = score_transcript(text, model=model)
    assert r.label == "disinterest" and r.closing_start == 2 and "questions" in r.closing_cue
    assert [u.text for u in r.closing] == ["Honestly, with weekend on-call I don't think it's for me. I'll withdraw."]


def test_short_reply_is_read_with_its_question(model):
    assert reply_stance("Are you still interested in the position?", "Yes, definitely.") == "interest"
    assert reply_stance("Would you like to move forward?", "Not really.") == "disinterest"
    assert reply_stance("Did you find parking?", "Yes.") is None
    text = "Recruiter: Any questions for me? Are you still interested?\nJo: Absolutely.\nRecruiter: Great!"
    r = score_transcript(text, model=model)
    assert r.label == "interest" and r.closing[-1].read_with is not None


def test_explicit_candidate_and_a_wrong_one(model):
    text = "A: Tell me about yourself.\nB: I fix trucks.\nA: Any questions for us?\nB: No. I'll pass on the job."
    assert score_transcript(text, candidate="b", model=model).candidate == "B"
    with pytest.raises(TranscriptError, match="not a speaker here; speakers: A, B"):
        score_transcript(text, candidate="Zed", model=model)


def test_no_speaker_labels_reads_the_last_paragraphs_as_the_candidate(model):
    r = score_transcript("Some notes.\n\nThanks for your time.\n\nI really want this job.", model=model)
    assert r.candidate is None and r.label == "interest" and r.format == "text"


@pytest.mark.parametrize("text,fmt", [
    ("WEBVTT\n\n00:00.000 --> 00:01.000\n<v A>hi</v>\n", "vtt"),
    ("1\n00:00:01,000 --> 00:00:02,000\nA: hi\n", "srt"),
    ('[{"speaker": "A", "text": "hi"}]', "json"),
    ("speaker,text\nA,hi\nB,yo\n", "csv"),
    ("Jane Doe  0:01\nHello\n\nBob  0:05\nHi\n", "otter"),
    ("DR. LEE: Hello\nMS. RAY: Hi there\n", "plain"),
    ("just some words\nwith no speakers\n", "text"),
])
def test_format_detection(text, fmt):
    assert detect_format(text) == fmt


def test_vtt_cues_of_one_speaker_merge_into_a_turn():
    t = read_transcript(TDIR / "t07_teams.vtt")
    assert [turn.speaker for turn in t.turns] == ["Helen Carter", "Aisha Rahman"] * 3 + ["Helen Carter"]
    assert "three-way matching" in t.turns[1].text and t.turns[1].text.startswith("Sure.")


def test_srt_continuation_cue_keeps_the_speaker():
    t = read_transcript(TDIR / "t11_subs.srt")
    assert t.turns[-2].speaker == "LUIS" and t.turns[-2].text.endswith("start on Monday if you need me.")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
def test_encodings(encoding):
    text = "Interviewer: Any questions?\nRenée: I’d love to join — count me in.\n"
    decoded, _ = decode(text.encode(encoding), "f.txt")
    assert decoded.lstrip("\ufeff") == text


@pytest.mark.parametrize("data,message", [
    (b"", "empty file"),
    (b"   \n\t", "empty file"),
    (bytes(range(256)) * 20, "not readable as text"),
    (b"\x89PNG\r\n\x1a\n" + bytes(500), "not readable as text"),
])
def test_unreadable_bytes_are_rejected_clearly(data, message):
    with pytest.raises(TranscriptError, match=message):
        decode(data, "bad.txt")


@pytest.mark.parametrize("name,content,message", [
    ("broken.json", '{"segments": [{"speaker": "A", "text": "hi"},', "invalid JSON"),
    ("shape.json", '{"segments": [{"speaker": "A", "words": 3}]}', r"segments\[0\]\.text"),
    ("nolist.json", '{"hello": "world"}', "no list of segments"),
    ("header.csv", "who_spoke,said\nA,hi\n", "CSV header needs a speaker column"),
    ("bad.vtt", "WEBVTT\n\nthis is not a cue\n", "WebVTT"),
    ("bad.srt", "1\nnot a timestamp\nhello\n", "SRT"),
])
def test_malformed_files_name_the_file_and_the_place(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptError, match=message) as e:
        read_transcript(path)
    assert str(path) in str(e.value)


def test_batch_turns_bad_files_into_error_rows(model, tmp_path):
    good = TDIR / "t01_plain_nurse.txt"
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "broken.json").write_text("[{")
    paths = [good, tmp_path / "empty.txt", tmp_path / "binary.txt", tmp_path / "broken.json", tmp_path / "gone.txt"]
    results = list(score_transcripts(paths, model=model))
    assert [r.source for r in results] == [str(p) for p in paths]
    assert results[0].error is None and results[0].label == "interest"
    assert all(r.error and r.label is None and r.source in r.error for r in results[1:])


def test_public_names():
    assert closing_signal.score_transcript is score_transcript
    assert callable(closing_signal.score_transcripts)


def test_parse_rejects_unknown_format():
    with pytest.raises(TranscriptError, match="unknown format"):
        parse_transcript("A: hi", format="docx")


def test_utf16_without_bom_is_detected():
    data = "Interviewer: Any questions?\nSam: Count me in.\n".encode("utf-16-le")
    assert not data.startswith(codecs.BOM_UTF16_LE)
    assert decode(data)[0].startswith("Interviewer")
