"""Bytes to text: UTF-8 with or without BOM, UTF-16, legacy single-byte — or a clear refusal."""

from __future__ import annotations

import codecs
import os

from .types import TranscriptError

__all__ = ["decode", "display_name", "MAX_BYTES"]

#: Larger files are refused rather than read into memory.
MAX_BYTES = 64 * 2**20


def _control_share(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0x7F <= ord(ch) < 0xA0)
    return bad / len(sample)


def display_name(path) -> str:
    """A file name as text that any UTF-8 writer accepts: bytes of the name
    that are not UTF-8 (which ``os.fsdecode`` keeps as lone surrogates) become
    ``\\xNN`` escapes; other names are returned as they are.

    >>> display_name(os.fsdecode(b"caf\\xe9.txt"))
    'caf\\\\xe9.txt'
    """
    name = os.fspath(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
    if isinstance(name, str):
        try:
            name = name.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a surrogate that no file name decodes to
            return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return name.decode("utf-8", "backslashreplace")


def decode(data: bytes, source: str = "<bytes>") -> tuple[str, str]:
    """``(text, encoding)`` of a transcript file's bytes.

    >>> decode("caf\\u00e9".encode("utf-16"))
    ('café', 'utf-16')
    >>> decode("caf\\u00e9".encode("cp1252"))
    ('café', 'cp1252')
    """
    if not data.strip():
        raise TranscriptError(f"{source}: empty file")
    if len(data) > MAX_BYTES:
        raise TranscriptError(f"{source}: {len(data) / 2**20:.0f} MiB is larger than the {MAX_BYTES // 2**20} MiB limit")
    candidates: list[str]
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in data[:4096]:
        head = data[:4096]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        candidates = ["utf-16-le"] if odd > even * 4 else ["utf-16-be"] if even > odd * 4 else []
    else:
        candidates = ["utf-8", "cp1252"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _control_share(text) > 0.01:
            continue
        name = "utf-8" if enc == "utf-8-sig" else "utf-16" if enc.startswith("utf-16") else enc
        return text, name
    raise TranscriptError(f"{source}: not readable as text (binary, or an encoding other than UTF-8, UTF-16 "
                          "and Windows-1252); convert it to UTF-8")
