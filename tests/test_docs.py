"""Docstring examples of every module of the package run as tests.

The modules are found by walking the package, not listed by hand, so a new
module's examples run without anyone remembering to add it; the public ones
must have examples.
"""

import doctest
import importlib
import pkgutil

import pytest

import closing_signal

MODULES = sorted(m.name for m in pkgutil.walk_packages(closing_signal.__path__, "closing_signal."))
#: The public surface: each must show how it is used.
PUBLIC_WITH_EXAMPLES = ["closing_signal", "closing_signal.labels", "closing_signal.text", "closing_signal.model",
                        "closing_signal.classifier", "closing_signal.calibration", "closing_signal.training",
                        "closing_signal.data.dedup", "closing_signal.data.sources"]


def _examples(module) -> int:
    return sum(len(t.examples) for t in doctest.DocTestFinder().find(module))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if name in PUBLIC_WITH_EXAMPLES:
        assert result.attempted > 0, f"{name} is public and has no example"


def test_the_module_walk_finds_the_package():
    assert {"closing_signal.model", "closing_signal.transcripts.readers"} <= set(MODULES)
    assert set(PUBLIC_WITH_EXAMPLES) <= set(MODULES) | {"closing_signal"}
