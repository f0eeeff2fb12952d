"""Deprecated alias: moved to :mod:`closing_signal.analysis.words` (the analysis
core no longer lives with the spaCy components). This name is that module."""

import sys
import warnings

from ..analysis import words as _moved

warnings.warn("closing_signal.pipeline.words moved to closing_signal.analysis.words", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _moved
