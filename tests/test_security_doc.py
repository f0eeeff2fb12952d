"""Every promise in SECURITY.md names the tests that check it, and those tests exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _promises() -> list[str]:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    body = text.split("## Reporting a problem")[0]
    return [p for p in re.split(r"\n- ", body)[1:]]


def test_each_promise_names_a_test():
    promises = _promises()
    assert len(promises) >= 10
    unnamed = [p.split("\n")[0] for p in promises if "test_" not in p and "spacy.load" not in p]
    assert not unnamed, unnamed


def test_every_named_test_exists():
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    current, missing, seen = None, [], 0
    for m in re.finditer(r"`(?:(test_\w+\.py)(?:::(\w+))?|::(\w+))", text):
        file, name, cont = m.groups()
        if file:
            current = file
            assert (ROOT / "tests" / file).is_file(), file
        name = name or cont
        if name:
            seen += 1
            source = (ROOT / "tests" / current).read_text(encoding="utf-8")
            if not re.search(rf"^def {name}\(", source, re.M):
                missing.append(f"{current}::{name}")
    assert seen >= 30 and not missing, missing
