"""A plugin written against API 1.0 from the previous round's guide (``api_1_0/``) still loads through
its entry point and passes the conformance kit unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.plugins import installed_plugin

SOURCE = Path(__file__).parent / "api_1_0" / "ganbench_api10_mygan.py"


@pytest.fixture
def api10_plugin(tmp_path, monkeypatch):
    yield from installed_plugin(tmp_path, monkeypatch, "ganbench-contrib-api10", "api10",
                                "ganbench_api10_mygan", SOURCE.read_text())


def test_the_1_0_plugin_loads_with_its_old_hookimpl_import(api10_plugin):
    from ganbench.plugins import load_registry

    registry = load_registry()
    assert "mygan" in registry.models, registry.problems
    assert not [p for p in registry.problems if "api10" in p or "mygan" in p]
    spec = registry.models["mygan"]
    assert spec.api_version == "1.0" and registry.model_owner["mygan"].distribution == "ganbench-contrib-api10"


def test_the_1_0_plugin_passes_the_kit_unchanged(api10_plugin):
    from ganbench.testing import check_model

    report = check_model("mygan")
    assert "spec" in report.passed and "state_dict" in report.passed and "improves" in report.passed, report
    assert report.ok and not report.failures, report.failures
