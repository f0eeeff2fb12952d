"""The package's import graph has layers: no import loop, and (almost) no arrow back up.

The graph is read with ``ast`` from the source (module-level imports and
imports inside functions; ``if TYPE_CHECKING:`` blocks are left out: they never
run). An edge ``a -> b`` means module ``a`` imports module ``b`` of the package
(``from .x import name`` counts as an import of ``x.name`` when that is a
module, else of ``x``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "src"
PKG = "closing_signal"

#: Layers, lowest first. A module belongs to the first layer with a prefix it
#: starts with (a prefix names a module or a package).
LAYERS: list[tuple[str, ...]] = [
    # ground floor: no imports from the package (but the version and labels)
    ("labels", "text", "version", "overwrite", "parallel"),
    # the array analysis core
    ("analysis",),
    # plain data about closings: records, predictions, calibration
    ("data", "prediction", "calibration"),
    # from an analysis to numbers, and models on disk
    ("features", "scoring", "evidence", "persistence"),
    # the spaCy adapter
    ("pipeline",),
    # the loaded model and the estimator
    ("model", "classifier"),
    # what is built on a model
    ("transcripts", "training", "evaluation", "frames", "output"),
    # the edges: engines, the command line, the review loop, the package's public face
    ("distributed", "cli", "review", ""),
]
#: Imports that run from a lower layer to a higher one, allowed at most.
MAX_UPWARD = 1
#: No loop is allowed. (``data.records.read_records`` reads annotation files through
#: ``review.formats`` — the one upward import — which builds ``data.types.Record``s.)
KNOWN_CYCLES: list = []


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / PKG).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Import nodes anywhere in ``tree`` except under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        is_pkg = path.name == "__init__.py"
        package = mod if is_pkg else mod.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    base = ".".join(base + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for t in targets:
                while t and t not in mods:  # "closing_signal.x.y" of a name inside module x
                    t = t.rpartition(".")[0]
                if t and t != mod and t.startswith(PKG):
                    graph[mod].add(t)
    return graph


def layer_of(mod: str) -> int:
    rel = mod[len(PKG) + 1:] if mod != PKG else ""
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if rel == p or (p and rel.startswith(p + ".")):
                return i
    raise AssertionError(f"{mod} is in no layer: add it to LAYERS")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def upward(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, bs in graph.items() for b in bs
                  if layer_of(b) > layer_of(a) and not (b == PKG or a.startswith(b + ".")))


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_the_graph_is_read(graph):
    assert len(graph) > 40
    assert f"{PKG}.analysis.lexicon" in graph[f"{PKG}.analysis.batch"]
    assert f"{PKG}.pipeline.component" in graph[f"{PKG}.pipeline.build"]
    assert f"{PKG}.model" in graph[f"{PKG}.transcripts.batch"]  # an import inside a function counts


def test_every_module_has_a_layer(graph):
    for mod in graph:
        layer_of(mod)


def test_no_import_cycle_but_the_known_one(graph):
    assert [c for c in _cycles(graph) if c not in KNOWN_CYCLES] == []


def test_no_import_cycle(graph):
    assert _cycles(graph) == []


def test_at_most_one_import_runs_up_a_layer(graph):
    up = upward(graph)
    assert len(up) <= MAX_UPWARD, "\n".join(f"{a} (layer {layer_of(a)}) -> {b} (layer {layer_of(b)})" for a, b in up)


def test_the_analysis_core_imports_nothing_above_it(graph):
    for mod, deps in graph.items():
        if mod.startswith(f"{PKG}.analysis"):
            assert all(d.startswith(f"{PKG}.analysis") for d in deps), (mod, deps)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
