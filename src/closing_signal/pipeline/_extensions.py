"""The custom attributes our components set, registered once (never with force=True)."""

from __future__ import annotations

from spacy.tokens import Doc, Token

ANALYSIS = "closing_analysis"
EVIDENCE = "closing_evidence"
NEGATED = "closing_negated"
CLAUSES = "closing_clauses"   # doc.spans key
CUES = "closing_cues"         # doc.spans key


def _token_negated(token: Token) -> bool:
    analysis = token.doc._.get(ANALYSIS)
    return analysis is not None and token.i in analysis.negated_tokens


def register() -> None:
    """Register ``Doc._.closing_analysis``, ``Doc._.closing_evidence`` and
    ``Token._.closing_negated`` if they are not registered yet."""
    if not Doc.has_extension(ANALYSIS):
        Doc.set_extension(ANALYSIS, default=None)
    if not Doc.has_extension(EVIDENCE):
        Doc.set_extension(EVIDENCE, default=None)
    if not Token.has_extension(NEGATED):
        Token.set_extension(NEGATED, getter=_token_negated)
