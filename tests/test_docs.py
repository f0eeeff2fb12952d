"""Docstring examples of the public modules run as tests."""

import doctest
import importlib

import pytest

MODULES = ["closing_signal", "closing_signal.labels", "closing_signal.text", "closing_signal.prediction",
           "closing_signal.model", "closing_signal.classifier", "closing_signal.calibration",
           "closing_signal.training", "closing_signal.data.dedup", "closing_signal.pipeline.lexicon"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
