"""Clauses, cues and negation scope over a Doc's clean view.

The three spaCy components share this one analysis; it is computed once per
Doc and kept in ``Doc._.closing_analysis``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .lexicon import CleanView, Lexicon, Match

__all__ = ["Analysis", "Cue", "segment", "find_cues", "analyze", "NEGATION_WINDOW", "MAX_TOKENS"]

#: Only the last MAX_TOKENS tokens of a Doc are analysed: the stance that
#: counts is the final one, and this bounds the work on a huge Doc.
MAX_TOKENS = 3000
#: Negation reaches at most this many words, and never past a comma or a clause end.
NEGATION_WINDOW = 6
_SENTENCE_END = frozenset(".!?;:…-—–")
_PRONOUNS = frozenset({"i", "we", "it", "that", "this", "you", "there"})
_WH = frozenset({"what", "when", "how", "who", "where", "which", "why"})
_AUX = frozenset({"is", "are", "will", "do", "does", "should", "can", "could", "would", "shall", "did", "am", "may"})
# negators inside a matched phrase of these types are part of the phrase, not a scope
_ABSORBS_NEGATION = frozenset({"INTENSIFIER", "HEDGE", "DECLINE", "DEALBREAKER", "FAREWELL_OUT", "NEUTRAL_NO",
                               "CONDITION", "SARCASM"})


@dataclass(frozen=True, slots=True)
class Cue:
    """A matched cue: clean-view positions ``[start, end)``, its type, and
    whether it falls inside a negation scope."""

    start: int
    end: int
    label: str
    negated: bool


@dataclass(slots=True)
class Analysis:
    view: CleanView
    clause: list[int]                 # clause id of each word
    n_clauses: int
    questions: frozenset[int]         # ids of clauses that are questions
    lexicon: Lexicon
    cues: list[Cue] = field(default_factory=list)
    negated: list[bool] = field(default_factory=list)
    has_cues: bool = False


def segment(view: CleanView, lexicon: Lexicon) -> tuple[list[int], int, frozenset[int]]:
    """Clause id per word. A clause ends at sentence punctuation, and a new one
    starts at a contrast marker ("but", "however"…) or at "so" + pronoun — the
    only cues left when speech-to-text drops the punctuation."""
    words, punct = view.words, view.punct_after
    breakers = lexicon.clause_breakers
    clause: list[int] = []
    cid = 0
    n = len(words)
    for i, w in enumerate(words):
        if i:
            if any(c in _SENTENCE_END for c in punct[i - 1]):
                cid += 1
            elif w in breakers or (w == "so" and i + 1 < n and words[i + 1] in _PRONOUNS) \
                    or (w == "that" and i + 1 < n and words[i + 1] == "said"):
                cid += 1
        clause.append(cid)
    n_clauses = cid + 1 if words else 0
    questions = set()
    for i, w in enumerate(words):
        first = i == 0 or clause[i - 1] != clause[i]
        if "?" in punct[i]:
            questions.add(clause[i])
        if first and (w in _WH or (w in _AUX and i + 1 < n and words[i + 1] in _PRONOUNS | {"the", "there"})):
            questions.add(clause[i])
    return clause, n_clauses, frozenset(questions)


_LEADS = frozenset({"so", "and", "ok", "okay", "then", "great", "right", "alright", "cool", "well", "oh", "yeah", "sure"})


def _clause_initial(i: int, words: list[str], clause: list[int]) -> bool:
    """Whether word ``i`` opens its clause (after at most one discourse word)."""
    if i == 0 or clause[i - 1] != clause[i]:
        return True
    return words[i - 1] in _LEADS and (i == 1 or clause[i - 2] != clause[i])


def find_cues(view: CleanView, clause: list[int], lexicon: Lexicon) -> tuple[list[Cue], list[bool]]:
    """Cue matches with their negation, and the negated flag of each word."""
    words = view.words
    matches: list[Match] = lexicon.match(words)
    absorbed = [False] * len(words)
    for m in matches:
        if m.label in _ABSORBS_NEGATION:
            for j in range(m.start, m.end):
                absorbed[j] = True
    negated = [False] * len(words)
    negators = lexicon.negators
    boundary = view.boundary_after
    for i, w in enumerate(words):
        if w not in negators or absorbed[i] or boundary[i]:
            continue
        for j in range(i + 1, min(len(words), i + 1 + NEGATION_WINDOW)):
            if clause[j] != clause[i]:
                break
            negated[j] = True
            if boundary[j]:
                break
    cues = [Cue(m.start, m.end, m.label, negated[m.start] and m.label not in _ABSORBS_NEGATION)
            for m in matches
            if m.label != "QUESTION_WORD" or _clause_initial(m.start, words, clause)]
    return cues, negated


def analyze(doc, lexicon: Lexicon, *, cues: bool = True) -> Analysis:
    """The analysis of ``doc``, reusing what earlier components stored."""
    found = doc._.closing_analysis if doc.has_extension("closing_analysis") else None
    if found is None or (found.lexicon is not lexicon and found.lexicon.digest != lexicon.digest):
        view = lexicon.view(doc, max(0, len(doc) - MAX_TOKENS))
        clause, n, questions = segment(view, lexicon)
        found = Analysis(view, clause, n, questions, lexicon)
    if cues and not found.has_cues:
        found.cues, found.negated = find_cues(found.view, found.clause, lexicon)
        found.has_cues = True
    return found
