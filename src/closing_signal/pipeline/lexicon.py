"""Deprecated alias: moved to :mod:`closing_signal.analysis.lexicon` (the analysis
core no longer lives with the spaCy components). This name is that module."""

import sys
import warnings

from ..analysis import lexicon as _moved

warnings.warn("closing_signal.pipeline.lexicon moved to closing_signal.analysis.lexicon", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
