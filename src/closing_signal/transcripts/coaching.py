"""Advice when a closing states no stance: what was missing, and a closing the
candidate could have said, built from their own words and the role as the
interviewer named it."""

from __future__ import annotations

import re

__all__ = ["advise"]

_ROLE = re.compile(r"\b(?:the|this|our)\s+((?:[\w\-/]+\s+){0,4}?(?:role|position|job|post|opening))\b", re.I)
_POSITIVE = re.compile(r"\b(?:love|loved|like|liked|enjoy|enjoyed|excited about|impressed (?:by|with)|"
                       r"(?:that|this) (?:sounds|is) (?:great|perfect|generous|nice|huge))\b"
                       r"(?:\s+(?:the|your|how)\s+([\w\- ]{3,40}?))?(?=[.,!?;]|\s+(?:and|but|so)\b|$)", re.I)
_GENERIC_ROLE = re.compile(r"^(the\s+)?(role|position|job|post|opening)$", re.I)


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return f"“{text[:limit]}{'…' if len(text) > limit else ''}”"


def _role(texts: list[str]) -> str | None:
    for text in texts:
        for m in _ROLE.finditer(text):
            words = m.group(1).strip()
            if not _GENERIC_ROLE.match(words) and not re.search(r"\b(this|that|it|a|an)\b", words, re.I):
                return "the " + words.lower()
    return None


def _liked(texts: list[str]) -> str | None:
    for text in reversed(texts):
        for m in _POSITIVE.finditer(text):
            if m.group(1) and 1 <= len(m.group(1).split()) <= 6:
                return "the " + m.group(1).strip().lower() if not m.group(1).lower().startswith("how") \
                    else m.group(1).strip().lower()
    return None


def advise(closing_texts: list[str], cue_names: list[set[str]], candidate_texts: list[str],
           all_texts: list[str] | None = None) -> str:
    """What an ``ambiguous`` closing lacked, and a closing to practise instead.

    ``cue_names`` holds, per closing utterance, the cue types found in it;
    ``candidate_texts`` is everything the candidate said; ``all_texts`` every
    turn (the interviewer usually names the role).
    """
    pairs = list(zip(closing_texts, cue_names))
    asked = [t for t, c in pairs if c & {"PROCESS", "NEXT_QUESTION"}]
    hedged = [t for t, c in pairs if c & {"HEDGE", "CONDITION"}]
    thanked = any(c & {"POLITE", "LOOK_FORWARD"} for _, c in pairs)
    others = any("OTHER_OFFER" in c for _, c in pairs)
    said = []
    if asked:
        said.append(f"asked {_quote(asked[-1])}")
    if hedged and hedged[-1] not in asked:
        said.append(f"said {_quote(hedged[-1])}")
    elif hedged:
        said.append("hedged")
    if thanked:
        said.append("thanked them")
    if others:
        said.append("mentioned other interviews or offers")
    what = ("You " + ", ".join(said[:-1]) + (" and " if len(said) > 1 else "") + said[-1]) if said else \
        f"You closed with {_quote(closing_texts[-1])}"
    if asked:
        why = (" — but asking about next steps is not the same as saying you want the job, and a recruiter "
               "who is not told assumes you are not interested.")
    elif hedged:
        why = (" — a condition or a hedge is not a stance; a recruiter who is not told you are interested "
               "assumes you are not.")
    else:
        why = " — but never said you want the job; a recruiter who is not told assumes you are not interested."
    role = _role(all_texts or candidate_texts) or "this role"
    liked = _liked(candidate_texts)
    lead = f"after hearing about {liked}, " if liked else "after hearing more about it today, "
    if hedged:
        suggestion = (f"“Thank you — {lead}I'm very interested in {role}. I'd just like a day to look at the "
                      "details" + (", including the pay," if any("CONDITION" in c for _, c in pairs) else "") +
                      " before we talk about next steps.”")
    elif others:
        suggestion = f"“Thank you — I do have other conversations going, but {role} is the one I'm most excited about.”"
    else:
        suggestion = f"“Thank you for your time — {lead}I'm really excited about {role} and I'd love to move forward."
        suggestion += " What are the next steps?”" if asked else "”"
    return f"{what}{why} If you are interested, say so, for example: {suggestion}"
