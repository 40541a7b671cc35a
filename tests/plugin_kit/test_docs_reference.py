"""The docs stay in step with the code: every suite field is in docs/suites.md, every hook's
docstring and every kit check are in docs/plugin-guide.md, and relative links resolve."""

from __future__ import annotations

import re

import pytest

from ganbench.contract import hookspecs
from ganbench.plan.suite import Budget, CheckConfig, DatasetEntry, EvalConfig, ModelEntry, Suite
from ganbench.testing import CHECKS

from .conftest import REPO

DOCS = REPO / "docs"


def section(text: str, heading: str) -> str:
    """The text of a ``## heading`` section (up to the next ``## ``)."""
    m = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"docs/suites.md has no '## {heading}' section"
    return m.group(1)


@pytest.mark.parametrize("model, heading", [
    (Suite, "Top level"), (Budget, "budget"), (EvalConfig, "eval"), (DatasetEntry, "datasets"),
    (ModelEntry, "models"), (CheckConfig, "check"),
])
def test_every_suite_field_is_documented(model, heading):
    text = section((DOCS / "suites.md").read_text(), heading)
    missing = [f for f in model.model_fields if f"| `{f}` |" not in text]
    assert not missing, f"docs/suites.md '## {heading}' lacks a row for field(s) {missing} of {model.__name__}"


def test_plugin_guide_covers_hooks_and_checks():
    guide = (DOCS / "plugin-guide.md").read_text()
    for name in ("ganbench_models", "ganbench_datasets", "ganbench_metrics", "ganbench_sinks"):
        first_sentence = getattr(hookspecs, name).__doc__.strip().split(".")[0]
        assert f"`{name}()`" in guide and first_sentence in guide, name
    for check in CHECKS:
        assert f"| `{check}` |" in guide, f"kit check {check!r} is not in the plugin guide's table"


def test_relative_links_resolve():
    broken = []
    pages = [DOCS / n for n in ("README.md", "plugin-guide.md", "suites.md", "metrics.md")]
    for md in [*pages, REPO / "plugins" / "example-thirdparty" / "README.md"]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", md.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (md.parent / target).exists():
                broken.append(f"{md.relative_to(REPO)} -> {target}")
    assert not broken, broken


def test_docs_index_lists_every_page():
    index = (DOCS / "README.md").read_text()
    missing = [p.name for p in DOCS.glob("*.md") if p.name != "README.md" and f"({p.name})" not in index]
    assert not missing, f"docs/README.md does not link {missing}"


CLAIM = re.compile(r"`(suites/[\w.-]+\.ya?ml)`[^\n]*\n\n```ya?ml\n(.*?)```", re.S)


def test_yaml_examples_that_name_a_suite_file_are_that_file():
    """A ```yaml block right after a line naming `suites/X.yaml` is that file, byte for byte
    (docs/suites.md once quoted suites/mog.yaml with other values than the file)."""
    found = 0
    for md in [*DOCS.glob("*.md"), REPO / "README.md"]:
        for path, block in CLAIM.findall(md.read_text()):
            found += 1
            assert block == (REPO / path).read_text(), f"{md.name}: its copy of {path} differs from the file"
    assert found >= 1  # docs/suites.md's complete example


def test_architecture_names_only_places_that_exist():
    """docs/architecture.md's map of the data flow points at real folders and modules."""
    text = (DOCS / "architecture.md").read_text()
    paths = set(re.findall(r"`((?:ganbench|plugins|suites)/[\w/.-]*)`", text))
    assert {"ganbench/plan/", "ganbench/run/", "ganbench/executors/", "ganbench/train/", "ganbench/metrics/",
            "ganbench/record/", "ganbench/analyse/", "ganbench/report/", "ganbench/gate/", "ganbench/contract/"} <= paths
    missing = [p for p in sorted(paths) if not (REPO / p).exists()]
    assert not missing, missing
