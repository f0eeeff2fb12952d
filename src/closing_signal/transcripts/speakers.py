"""Who is the candidate?"""

from __future__ import annotations

import re

from .types import Transcript, TranscriptError

__all__ = ["infer_candidate", "is_closing_cue", "INTERVIEWER_ROLES"]

INTERVIEWER_ROLES = re.compile(
    r"\b(interviewer|recruiter|recruiting|hiring|manager|hr|human resources|talent|host|panel|panelist|moderator|"
    r"director|supervisor|lead|chair|principal|head|employer|screener|coordinator|ceo|cto|owner)\b", re.I)
CANDIDATE_ROLES = re.compile(r"\b(candidate|applicant|interviewee|job ?seeker)\b", re.I)

_CLOSING_CUES = [
    r"\b(any|other|more|further|final|last)\b[^.?!]{0,40}\bquestions?\b[^.?!]{0,40}\b(for\s+(us|me|the\s+(team|panel))|"
    r"you('d|\s+would)?\s+like\s+to\s+ask|you\s+(might\s+)?have|before\s+we)",
    r"\bquestions?\s+for\s+(us|me|the\s+(team|panel))\b",
    r"\bdo\s+you\s+have\s+any\s+(questions|thing\s+else|thing\s+you)",
    r"\bdo\s+you\s+have\s+anything\s+(else|for\s+(us|me))",
    r"\bwhat\s+questions\s+(do|can)\s+(you|i)\b",
    r"\banything\s+(else\s+)?(you('d|\s+would)?\s+)?(like|want)\s+to\s+(ask|add|know|share)\b",
    r"\banything\s+(else\s+)?(i|we)\s+can\s+(answer|tell\s+you)\b",
    r"\bbefore\s+we\s+(wrap|finish|close|end|let\s+you\s+go|hang\s+up|run\s+out)",
    r"\b(let'?s|to|going\s+to|gonna)\s+wrap\s+(things\s+|this\s+|it\s+)?up\b",
    r"\bwe('re|\s+are)\s+(about|almost|nearly|just\s+about)\s+(out\s+of|at)\s+time\b",
    r"\bthat'?s\s+(all|everything)\s+(the\s+questions\s+)?(i|we)\s+have\b",
    r"\bthe\s+floor\s+is\s+(yours|open)\b",
    r"\bover\s+to\s+you\b.{0,30}\bquestions?\b",
]
_CUE_RE = re.compile("|".join(f"(?:{c})" for c in _CLOSING_CUES), re.I)
_QUESTION_START = re.compile(r"^\s*(so\s+|and\s+|okay,?\s+|great,?\s+)?(what|why|how|when|where|who|which|tell\s+me|"
                             r"can\s+you|could\s+you|would\s+you|do\s+you|did\s+you|have\s+you|are\s+you|walk\s+me)\b",
                             re.I)


def is_closing_cue(text: str) -> bool:
    """Whether an interviewer's words open the close ("Do you have any questions for us?").

    >>> is_closing_cue("Great. Before we wrap up, is there anything you'd like to ask?")
    True
    >>> is_closing_cue("What are your questions about the schedule?")
    False
    """
    return bool(_CUE_RE.search(text))


def _is_question(text: str) -> bool:
    return text.rstrip().endswith("?") or bool(_QUESTION_START.match(text))


def _match_explicit(wanted: str, speakers: list[str], source: str) -> str:
    w = wanted.strip().lower()
    for s in speakers:
        if s.lower() == w:
            return s
    starts = [s for s in speakers if s.lower().startswith(w) or w.startswith(s.lower())]
    if len(starts) == 1:
        return starts[0]
    raise TranscriptError(f"{source}: candidate {wanted!r} is not a speaker here; speakers: {', '.join(speakers)}")


def infer_candidate(t: Transcript, candidate: str | None = None) -> tuple[str | None, str]:
    """``(speaker, how it was decided)``. ``speaker`` is written as in the file;
    ``None`` when the transcript has no speaker labels (all text is then read
    as the candidate's)."""
    speakers = t.speakers
    if not speakers:
        return None, "no speaker labels: all text read as the candidate's"
    if candidate is not None:
        return _match_explicit(candidate, speakers, t.source), "given"
    if len(speakers) == 1:
        return speakers[0], "only speaker"
    named = [s for s in speakers if CANDIDATE_ROLES.search(s)]
    if len(named) == 1:
        return named[0], f"role word in the speaker name {named[0]!r}"
    interviewers = {s for s in speakers if INTERVIEWER_ROLES.search(s)}
    rest = [s for s in speakers if s not in interviewers]
    if interviewers and len(rest) == 1:
        return rest[0], f"the other speakers are named as interviewers ({', '.join(sorted(interviewers))})"
    cue_askers = {turn.speaker for turn in t.turns if turn.speaker and is_closing_cue(turn.text)}
    rest = [s for s in speakers if s not in interviewers | cue_askers]
    if cue_askers and len(rest) == 1:
        return rest[0], f"{', '.join(sorted(cue_askers))} asked the closing question"
    pool = rest or speakers
    stats = {s: _voice(t, s) for s in pool}
    best = max(pool, key=lambda s: stats[s]["score"])
    st = stats[best]
    return best, (f"speaks about themself ('I', 'my': {st['i']:.0%} of words vs 'we', 'our': {st['we']:.0%}), "
                  f"answers at length ({st['avg']:.0f} words a turn), asks questions in {st['q']:.0%} of turns")


_I = frozenset({"i", "i'm", "i've", "i'd", "i'll", "im", "ive", "id", "my", "me", "myself", "mine"})
_WE = frozenset({"we", "we're", "we've", "we'd", "we'll", "our", "us", "ours", "company's"})
_YOU = frozenset({"you", "your", "you're", "you've", "you'd", "you'll", "yours"})
_WORD = re.compile(r"[a-z']+")


def _voice(t: Transcript, speaker: str) -> dict:
    """How a speaker talks: candidates talk about themselves and answer at
    length; interviewers speak for the company, address the candidate and ask."""
    mine = [turn.text for turn in t.turns if turn.speaker == speaker]
    words = [w for x in mine for w in _WORD.findall(x.lower().replace("\u2019", "'"))]
    n = max(1, len(words))
    i, we, you = (sum(w in s for w in words) / n for s in (_I, _WE, _YOU))
    q = sum(_is_question(x) for x in mine) / len(mine)
    avg = len(words) / len(mine)
    return {"i": i, "we": we, "you": you, "q": q, "avg": avg,
            "score": 2 * i - 2 * we - you - 0.1 * q + 0.002 * min(avg, 100)}
