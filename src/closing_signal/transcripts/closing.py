"""Where the closing starts, and reading short replies with their question."""

from __future__ import annotations

import re

from .speakers import is_closing_cue
from .types import Transcript

__all__ = ["find_closing", "reply_stance", "LAST_TURNS"]

#: With no closing cue, the candidate's last this-many turns are the closing.
LAST_TURNS = 3

_INTEREST_QUESTION = re.compile(
    r"\b(still\s+interested|are\s+you\s+interested|interested\s+in\s+(the|this|our)\s+(role|position|job|opportunity)|"
    r"want\s+(the|this)\s+(job|role|position)|(like|want)\s+to\s+(move|go)\s+(forward|ahead)|"
    r"(want|like)\s+to\s+(continue|proceed|join\s+us|join\s+the\s+team)|would\s+you\s+(accept|take\s+it)|"
    r"if\s+we\s+(made|make|offered|offer|extended|extend)\b|still\s+on\s+board|count\s+you\s+in|"
    r"is\s+this\s+(something|a\s+role|a\s+job)\s+you('d|\s+would)\s+(want|like|consider)|"
    r"can\s+we\s+(move\s+forward|count\s+on\s+you)|are\s+you\s+(still\s+)?(keen|excited))", re.I)
_YES = re.compile(r"^\W*(yes|yeah|yep|yup|absolutely|definitely|of\s+course|certainly|sure|for\s+sure|totally|"
                  r"very\s+much|i\s+am|i\s+do|i\s+would|i'd\s+love\s+to|100|a\s+hundred\s+percent|without\s+a\s+doubt|"
                  r"you\s+bet|please|yes\s+please)\b", re.I)
_NO = re.compile(r"^\W*(no|nope|nah|not\s+really|i'm\s+not|i\s+am\s+not|not\s+at\s+all|i\s+don't\s+think\s+so|"
                 r"probably\s+not|i'd\s+rather\s+not|i\s+would\s+rather\s+not)\b", re.I)
SHORT_REPLY_WORDS = 6


def find_closing(t: Transcript, candidate: str | None) -> tuple[int, str | None]:
    """``(index of the first closing turn, the cue that opened it or None)``.

    The closing runs from the last closing cue ("do you have any questions for
    us?") that the candidate answered, to the end; with no cue, it is the
    candidate's last :data:`LAST_TURNS` turns.
    """
    turns = t.turns
    cand_idx = [i for i, turn in enumerate(turns) if candidate is None or turn.speaker == candidate]
    if not cand_idx:
        return len(turns), None
    if candidate is not None:
        for i in range(len(turns) - 1, -1, -1):
            turn = turns[i]
            if turn.speaker != candidate and is_closing_cue(turn.text) and cand_idx[-1] > i:
                return i, turn.text
    return cand_idx[max(0, len(cand_idx) - LAST_TURNS)], None


def reply_stance(question: str, reply: str) -> str | None:
    """``"interest"``/``"disinterest"`` when a short reply answers a question about
    the candidate's interest ("Absolutely." to "Are you still interested?"),
    else ``None``.

    >>> reply_stance("So, are you still interested in the role?", "Absolutely.")
    'interest'
    >>> reply_stance("How was the drive in?", "Yes, fine.")
    """
    if len(reply.split()) > SHORT_REPLY_WORDS or not _INTEREST_QUESTION.search(question):
        return None
    if _NO.match(reply):
        return "disinterest"
    if _YES.match(reply):
        return "interest"
    return None
