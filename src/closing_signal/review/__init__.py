"""The review loop: pick the closings the model is least sure of, label them, retrain.

    closing-signal review results.jsonl --n 200 --out queue.jsonl    # uncertain, no near-duplicates
    closing-signal annotate queue.jsonl --out labels.jsonl           # a local page: keys 1/2/3, u, s
    closing-signal train --base --add labels.jsonl --out models/mine # 20% of your labels held out: before/after

Modules: :mod:`.candidates` (what can be reviewed), :mod:`.sampling` (which to
review), :mod:`.formats` (queue export, annotation import), :mod:`.log` (the
append-only labels file), :mod:`.session` and :mod:`.server` (the labeling page),
:mod:`.holdout` (the deterministic split of your labels).

>>> from closing_signal.review import uncertainty
>>> round(uncertainty({"interest": 0.5, "ambiguous": 0.4, "disinterest": 0.1}), 2)
0.9
"""

from .candidates import Candidate, read_candidates
from ..data.records import read_records
from ..labels import LABELS
from .formats import QUEUE_FORMATS, write_queue
from .holdout import split_holdout
from .sampling import select, uncertainty

__all__ = ["Candidate", "read_candidates", "select", "uncertainty", "write_queue", "read_annotations",
           "QUEUE_FORMATS", "split_holdout"]


def read_annotations(path, *, labels: tuple[str, ...] = LABELS):
    """The labeled records of any annotation file (the same as ``data.records.read_records``)."""
    return read_records(path, labels=labels)
