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

A copy of a page on another host (an archive, a proxy, a Reddit front end)
is the same text: it is checked as the page it copies.

>>> r.covers("https://web.archive.org/web/2019/https://other.org/page/1")
True
>>> r.covers("https://mirror.app/host-https-blog.example.com/q/7")
True
>>> copied_urls("https://redlib.example.net/r/jobs/comments/abc/title")
['https://reddit.com/r/jobs/comments/abc/title']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["site_of", "copied_urls", "ReservedSources"]


def site_of(url: str) -> str:
    """The host of ``url``, lower case, without ``www.`` and port."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


_EMBEDDED = re.compile(r"/(https?)(?::/|%3A%2F)/+(.+)$|/host-(https?)-([^/]+\.[a-z]{2,}(?:/.*)?)$", re.I)
_SUBREDDIT = re.compile(r"^/r/[^/]+/comments/")


def copied_urls(url: str) -> list[str]:
    """The pages ``url`` is a copy of, as far as its address says: a URL
    inside its path (archives, proxies: ``/https://host/page``,
    ``/host-https-host/page``) or a Reddit thread path on another host."""
    out = []
    path = urlsplit(url.strip()).path
    m = _EMBEDDED.search(path)
    if m:
        scheme, rest = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        out.append(f"{scheme.lower()}://{rest}")
    if _SUBREDDIT.match(path) and not site_of(url).endswith("reddit.com"):
        out.append(f"https://reddit.com{path}")
    return out


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
        return any(self._covers(u) for u in [url, *copied_urls(url)])

    def _covers(self, url: str) -> bool:
        host = site_of(url)
        if any(host == d or host.endswith("." + d) for d in self.domains):
            return True
        key = _page_key(url)
        if key in self.pages:
            return True
        return any(key == r or key.startswith(r + "/") for r in self.repos)
