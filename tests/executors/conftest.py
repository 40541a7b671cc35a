"""Fixtures for executor tests: broken plugins importable by name (also in worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture
def broken_registry(monkeypatch):
    """The installed plugins plus ``broken_plugins_h9``, registered by module name so worker
    processes can import it again (its folder is on sys.path, which workers inherit)."""
    from ganbench.plugins import load_registry

    monkeypatch.syspath_prepend(str(HERE))
    return load_registry(extra_plugins=["broken_plugins_h9"])
