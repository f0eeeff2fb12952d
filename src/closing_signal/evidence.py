"""Evidence: the cue phrases and words whose features pushed hardest toward
the predicted label, read from a batch's features and the model's weights."""

from __future__ import annotations

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from .features import CUE_FAMILIES, Features
from .prediction import Evidence

__all__ = ["batch_evidence"]

_CLITICS = frozenset({"'m", "'s", "'re", "'ve", "'ll", "'d", "m", "s", "re", "ve", "ll", "d"})
_NEGATIONS = frozenset({"not", "n't", "nt", "no", "never", "nothing", "none", "nobody", "cannot"})


def _only_stopwords(text: str) -> bool:
    """Whether a span is only stopwords (negations never count as stopwords here)."""
    ws = [w.lower() for w in text.replace("\N{RIGHT SINGLE QUOTATION MARK}", "'").split()]
    return all((w in STOP_WORDS or w in _CLITICS) and w not in _NEGATIONS for w in ws)


def batch_evidence(feats: Features, cols: np.ndarray, texts: list[str], labels: list[int], push: np.ndarray,
                   cue_types, n: int, offsets: list[int] | None = None) -> list[list[Evidence]]:
    """Evidence for every Doc of ``feats`` toward its label (``labels[i]``:
    a row of ``push``); ``cols``: each feature row's model column, -1 if
    unknown. Offsets are into ``texts[i]``, plus ``offsets[i]``.

    A bigram's weight is split between its two words; a word's weight goes
    to the cue phrase that contains it; words that are only stopwords and
    in no cue are left out.
    """
    order = feats.order()
    keep = order[(cols[order] >= 0) & (feats.start[order] >= 0)]
    row = feats.row[keep]
    weight = push[np.asarray(labels, dtype=np.int64)[row], cols[keep]].tolist() if len(row) else []
    fam = feats.family[keep].tolist()
    key = feats.key[keep].tolist()
    spans = list(zip(feats.start[keep].tolist(), feats.end[keep].tolist(),
                     feats.start2[keep].tolist(), feats.end2[keep].tolist()))
    bounds = np.searchsorted(row, np.arange(feats.n_docs + 1)).tolist()
    return [_doc_evidence(fam[lo:hi], key[lo:hi], weight[lo:hi], spans[lo:hi], texts[i], cue_types, n,
                          offsets[i] if offsets else 0)
            for i, (lo, hi) in enumerate(zip(bounds, bounds[1:]))]


def _doc_evidence(fam, key, weight, spans, text, cue_types, n, offset) -> list[Evidence]:
    cues: dict[tuple[int, int], list] = {}
    words: dict[tuple[int, int], float] = {}
    for f, k, w, (s, e, s2, e2) in zip(fam, key, weight, spans):
        if f in CUE_FAMILIES:
            entry = cues.get((s, e))
            if entry is None:
                c = k & 0xFFFFFFF
                entry = cues[(s, e)] = [0.0, cue_types[c >> 1] + ("+NEG" if c & 1 else "")]
            entry[0] += w
        elif s2 >= 0:
            words[(s, e)] = words.get((s, e), 0.0) + w / 2
            words[(s2, e2)] = words.get((s2, e2), 0.0) + w / 2
        else:
            words[(s, e)] = words.get((s, e), 0.0) + w
    # a cue inside a longer cue ("next steps" in "what are the next steps") counts for the longer one
    for span in sorted(cues, key=lambda sp: sp[1] - sp[0]):
        outer = next((c for c in cues if c != span and c[0] <= span[0] and span[1] <= c[1]), None)
        if outer is not None:
            cues[outer][0] += cues.pop(span)[0]
    items: list = []
    for (s, e), w in words.items():
        home = next((c for c in cues if c[0] <= s and e <= c[1]), None)
        if home is not None:
            cues[home][0] += w
        else:
            items.append(((s, e), w, None))
    items.extend((span, w, cue) for span, (w, cue) in cues.items())
    best = sorted((it for it in items if it[1] > 0 and (it[2] or not _only_stopwords(text[it[0][0]:it[0][1]]))),
                  key=lambda it: (-it[1], it[0]))
    return [Evidence(text[s:e], s + offset, e + offset, cue, w) for (s, e), w, cue in best[:n]]
