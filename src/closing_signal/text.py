"""Input checks and the bound on how much of a long text is read."""

from __future__ import annotations

__all__ = ["MAX_CHARS", "check_text", "clip"]

#: A closing's stance sits at its end (LABELS.md rule 3), so only the last
#: MAX_CHARS characters of a longer text are read. ~10,000 characters is about
#: 1,800 words, far longer than any closing.
MAX_CHARS = 10_000


def check_text(text: object, *, where: str = "text") -> str:
    """Return ``text`` as a plain ``str``, else raise ``TypeError`` naming the problem.

    A ``str`` subclass (``numpy.str_``…) comes back as a plain ``str``; a lone
    surrogate (no character of its own: half of a pair, or an undecodable
    byte) becomes U+FFFD, as a UTF-8 decoder would make it.

    >>> check_text("a\\ud800b") == "a\\ufffdb"
    True

    >>> check_text(None)
    Traceback (most recent call last):
    ...
    TypeError: text must be a str, got NoneType
    """
    if isinstance(text, str):
        if type(text) is not str:
            text = str.__str__(text)
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return text
    hint = " (decode bytes first, e.g. data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""
    raise TypeError(f"{where} must be a str, got {type(text).__name__}{hint}")


def clip(text: str, max_chars: int = MAX_CHARS) -> tuple[str, int]:
    """The last ``max_chars`` characters of ``text`` and their offset in it.

    The cut is moved forward to the next whitespace so no word is split.

    >>> clip("one two three", max_chars=9)
    ('three', 8)
    """
    if len(text) <= max_chars:
        return text, 0
    start = len(text) - max_chars
    space = text.find(" ", start, start + 200)
    if space != -1:
        start = space + 1
    return text[start:], start
