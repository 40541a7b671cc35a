"""Fixtures that install the test plugins through real entry points (a dist-info on sys.path)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def write_dist(site: Path, dist: str, version: str, entry_points: dict[str, str], modules: list[Path]) -> None:
    """Make ``site`` look like a site-packages holding distribution ``dist`` with ``ganbench`` entry points."""
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    eps = "\n".join(f"{k} = {v}" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[ganbench]\n{eps}\n")
    for m in modules:
        shutil.copy(m, site / m.name)


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
