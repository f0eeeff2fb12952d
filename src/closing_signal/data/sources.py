"""Where a record came from: its site, and whether a source is reserved.

Real-derived records carry the URL of the page they paraphrase. Some sites
and pages are reserved for independent evaluation and must never be used; a
reserved list has one domain (the whole site and its subdomains) or one URL
(that page only) per line, ``#`` comments allowed.

>>> site_of("https://www.Example.com/a/b?c=1")
'example.com'
>>> r = ReservedSources(["example.com", "https://other.org/page/1"])
>>> r.covers("http://blog.example.com/x"), r.covers("https://www.other.org/page/1#top"), r.covers("https://other.org/page/10")
(True, True, False)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["site_of", "ReservedSources"]


def site_of(url: str) -> str:
    """The host of ``url``, lower case, without ``www.`` and port."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


_QUESTION = re.compile(r"^/(?:q|questions)/(\d+)(?:/.*)?$")


def _page_key(url: str) -> str:
    """A URL without scheme, ``www.``, fragment and trailing slash; a Stack
    Exchange question in its short form (``/questions/N/slug`` is ``/q/N``)."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    path = _QUESTION.sub(r"/q/\1", path)
    query = f"?{parts.query}" if parts.query else ""
    return f"{site_of(url)}{path}{query}"


class ReservedSources:
    """A reserved-source list; :meth:`covers` tells whether a URL falls under it."""

    def __init__(self, lines: Iterable[str]):
        self.domains: set[str] = set()
        self.pages: set[str] = set()
        self.repos: set[str] = set()
        for line in lines:
            line = line.split("   (")[0].strip()  # "URL   (the whole repository)"
            if not line or line.startswith("#"):
                continue
            if line.startswith(("http://", "https://")):
                key = _page_key(line)
                (self.repos if key.startswith("github.com/") and key.count("/") == 2 else self.pages).add(key)
            else:
                self.domains.add(line.lower().removeprefix("www."))

    @classmethod
    def from_file(cls, path: str | Path) -> ReservedSources:
        return cls(Path(path).read_text(encoding="utf-8").splitlines())

    def covers(self, url: str) -> bool:
        host = site_of(url)
        if any(host == d or host.endswith("." + d) for d in self.domains):
            return True
        key = _page_key(url)
        if key in self.pages:
            return True
        return any(key == r or key.startswith(r + "/") for r in self.repos)
