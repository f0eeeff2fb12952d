"""Speech-to-text rendering of clean text, for data building and augmentation.

Lower case, punctuation dropped (apostrophes half the time), fillers,
stutters, an occasional false start and mis-heard word. Deterministic: the
randomness is seeded by a hash of the text, never by global state.

>>> to_asr("I'd love to move forward.") == to_asr("I'd love to move forward.")
True
>>> to_asr("Thanks, I WANT this!").islower()
True
"""

from __future__ import annotations

import hashlib
import random
import re

__all__ = ["to_asr"]


def _h(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)


_MISHEARD = {
    "role": "roll", "hire": "higher", "week": "weak", "wait": "weight", "right": "write",
    "there": "their", "here": "hear", "whole": "hole", "great": "grate", "excited": "exited",
    "interview": "inner view", "position": "positions", "would": "wood", "for": "four",
    "to": "too", "new": "knew", "team": "teen", "shift": "shit", "offer": "offa",
    "definitely": "definitly", "really": "rilly", "sure": "shore", "keen": "keane",
    "fit": "fits", "pass": "past", "accept": "except", "withdraw": "with draw",
    "next": "neck", "steps": "step", "decline": "the climb", "interested": "interest",
}
_FILLERS = ["um", "uh", "um", "uh", "you know", "like", "so", "yeah", "i mean"]


def to_asr(text: str) -> str:
    """A speech-to-text rendering of ``text`` (deterministic per text)."""
    rng = random.Random(_h("asr:" + text))
    t = text.lower().replace("\u2019", "'").replace("\u2014", " ").replace("-", " ")
    if rng.random() < 0.5:
        t = t.replace("'", "")
    words = re.findall(r"[a-z0-9']+", t)
    out: list[str] = []
    for i, w in enumerate(words):
        r = rng.random()
        if r < 0.07:
            out.append(rng.choice(_FILLERS))
        elif r < 0.11 and i < len(words) - 1:
            out.append(w)  # stutter
        if w in _MISHEARD and rng.random() < 0.25:
            w = _MISHEARD[w]
        out.append(w)
    if rng.random() < 0.4:
        out.insert(0, rng.choice(["um", "uh", "so", "yeah", "okay so", "um yeah"]))
    if rng.random() < 0.15 and len(out) > 6:  # false start: a few words, then restart
        k = rng.randint(1, 3)
        out = out[:k] + out
    return " ".join(out)
