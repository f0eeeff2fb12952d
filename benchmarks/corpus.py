"""Deterministic benchmark inputs built from the shipped corpus."""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _texts(split_names=("train", "dev")) -> list[str]:
    out = []
    for name in split_names:
        for line in (ROOT / "data" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            out.append(json.loads(line)["text"])
    return out


def make_corpus(n: int, seed: int = 0) -> list[str]:
    """``n`` closings of 5–150 words (median ~25): utterances of the corpus
    joined until a length drawn from a log-normal, then cut to it."""
    rng = random.Random(seed)
    pool = _texts()
    out = []
    for _ in range(n):
        target = int(min(150, max(5, rng.lognormvariate(3.2, 0.6))))
        words: list[str] = []
        while len(words) < target:
            words.extend(rng.choice(pool).split())
        out.append(" ".join(words[:target]))
    return out


_QUESTIONS = ["Tell me about your last role.", "How do you handle a difficult customer?",
              "What does a good day at work look like for you?", "Why are you leaving your current job?",
              "How do you prioritise when everything is urgent?", "What would your last manager say about you?",
              "Walk me through a mistake you made and what you learned.", "How do you feel about weekend shifts?"]


def make_transcripts(out_dir: Path, n_files: int, turns: int = 40, seed: int = 0) -> list[Path]:
    """``n_files`` plain transcripts of ``turns`` turns, ending with a closing."""
    rng = random.Random(seed)
    pool = _texts()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_files):
        lines = []
        for k in range(turns - 3):
            if k % 2 == 0:
                lines.append(f"Interviewer: {rng.choice(_QUESTIONS)}")
            else:
                lines.append("Candidate Name: " + " ".join(rng.choice(pool) for _ in range(rng.randint(2, 5))))
        lines.append("Interviewer: We're nearly out of time. Do you have any questions for us?")
        lines.append("Candidate Name: " + rng.choice(pool))
        lines.append("Interviewer: Thanks, we'll be in touch.")
        p = out_dir / f"bench_{i:05d}.txt"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(p)
    return paths
