"""The package's shape holds: no import circles (function-body and TYPE_CHECKING imports counted),
the plugin contract at the bottom importing nothing else of ganbench, and plugins importing only
the public facade ``ganbench.api``."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.architecture.import_graph import cycle_path, cycles, import_graph

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "ganbench"


def _describe(graph: dict[str, set[str]], found: list[list[str]]) -> str:
    return "; ".join(f"{len(c)} modules: {' -> '.join(cycle_path(graph, c))} (all: {', '.join(c)})" for c in found)


def test_the_helper_finds_a_circle_through_function_bodies_and_parent_packages(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from pkg import a\n")
    (pkg / "a.py").write_text("def f():\n    from pkg.b import g\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.sub.c import x\n")
    (pkg / "sub" / "c.py").write_text("x = 1\n")
    graph = import_graph(pkg)
    assert graph["pkg.b"] == {"pkg.sub", "pkg.sub.c"}  # the parent package runs too (its own ancestor "pkg" excepted)
    assert graph["pkg.sub.c"] == set()  # its own ancestors are not edges
    found = cycles(graph)
    assert found == [["pkg.a", "pkg.b", "pkg.sub"]]
    path = cycle_path(graph, found[0])
    assert path[0] == path[-1] and set(path) == {"pkg.a", "pkg.b", "pkg.sub"}


def test_ganbench_has_no_import_circles():
    graph = import_graph(PACKAGE)
    found = cycles(graph)
    assert not found, f"{len(found)} import circle(s): {_describe(graph, found)}"


def _ganbench_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of ganbench's own modules in ``path`` (any depth)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name == "ganbench" or a.name.startswith("ganbench.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "ganbench":
                out += [(node.lineno, f"ganbench.{a.name}") for a in node.names]
            elif node.module.startswith("ganbench."):
                out.append((node.lineno, node.module))
    return out


def test_the_contract_imports_nothing_of_ganbench_outside_itself():
    contract = PACKAGE / "contract"
    bad = [f"{p.relative_to(REPO)}:{line} imports {mod}" for p in sorted(contract.rglob("*.py"))
           for line, mod in _ganbench_imports(p) if mod != "ganbench.contract" and not mod.startswith("ganbench.contract.")]
    assert not bad, "the contract must stay at the bottom of the graph:\n" + "\n".join(bad)


def _plugin_modules() -> list[Path]:
    return [p for p in sorted((REPO / "plugins").glob("*/*/**/*.py"))
            if "tests" not in p.relative_to(REPO / "plugins").parts and not any(x.endswith(".egg-info") or x == "build"
                                                                                 for x in p.parts)]


def test_every_plugin_imports_only_the_public_api():
    modules = _plugin_modules()
    assert len(modules) > 20
    bad = [f"{p.relative_to(REPO)}:{line} imports {mod}" for p in modules
           for line, mod in _ganbench_imports(p) if mod != "ganbench.api"]
    assert not bad, "a plugin imports only ganbench.api (docs/plugin-guide.md):\n" + "\n".join(bad)
