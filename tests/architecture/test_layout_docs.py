"""docs/architecture.md and the README's Layout name only paths that exist, and the architecture page
names every package of the tree: the map a newcomer reads is the tree they will find."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PATH = re.compile(r"(?<![\w./-])((?:ganbench|plugins|suites|docs|benchmarks|tests|baselines|reports)/[\w./<>*-]*)")


def _named_paths(text: str) -> set[str]:
    return {m.rstrip(".,:;)") for m in PATH.findall(text) if "<" not in m and "*" not in m}


def _layout_section(readme: str) -> str:
    start = readme.index("## Layout")
    end = readme.find("\n## ", start + 1)
    return readme[start: end if end != -1 else None]


@pytest.mark.parametrize("doc", ["docs/architecture.md", "README.md#Layout"])
def test_every_path_named_exists(repo: Path, doc: str) -> None:
    text = (repo / doc.split("#")[0]).read_text(encoding="utf-8")
    if doc.endswith("#Layout"):
        text = _layout_section(text)
    named = _named_paths(text)
    assert len(named) >= 10, f"{doc}: expected a map of the tree, found {sorted(named)}"
    missing = sorted(p for p in named if not (repo / p).exists())
    assert not missing, f"{doc} names paths that do not exist: {missing}"


def test_the_architecture_page_names_every_package(repo: Path) -> None:
    named = _named_paths((repo / "docs/architecture.md").read_text(encoding="utf-8"))
    packages = sorted(str(p.parent.relative_to(repo)) for p in (repo / "ganbench").glob("*/__init__.py"))
    unnamed = [p for p in packages if not any(n.rstrip("/") == p or n.startswith(p + "/") for n in named)]
    assert not unnamed, f"docs/architecture.md does not show these packages: {unnamed}"


def test_the_path_pattern_finds_what_a_reader_sees() -> None:
    text = "the store `ganbench/record/store.py`, and ganbench/plan/ (see docs/suites.md). Not foo/ganbench/x."
    assert _named_paths(text) == {"ganbench/record/store.py", "ganbench/plan/", "docs/suites.md"}
