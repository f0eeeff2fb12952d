"""``__version__``, from the installed package's metadata (the one source: pyproject.toml)."""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("closing-signal")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
