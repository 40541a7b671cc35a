"""Fixtures that install the test plugins through real entry points (a dist-info on sys.path)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.helpers.plugins import write_dist

__all__ = ["write_dist"]  # tests import it from here

HERE = Path(__file__).parent


@pytest.fixture
def plugin_site(tmp_path, monkeypatch) -> Path:
    """A site dir on sys.path with two test distributions: the tiny models, and one that fails to import."""
    site = tmp_path / "site"
    write_dist(site, "ganbench-test-tiny", "9.9", {"tiny": "fake_plugins"}, [HERE / "fake_plugins.py"])
    write_dist(site, "ganbench-test-broken", "0.1", {"broken": "broken_import_plugin"}, [HERE / "broken_import_plugin.py"])
    monkeypatch.syspath_prepend(str(site))
    yield site
    for mod in ("fake_plugins", "broken_import_plugin"):
        sys.modules.pop(mod, None)
