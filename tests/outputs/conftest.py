"""Fixtures for results in pandas, export, kept generators and sinks: stores written directly
(the report's fixture store) and one tiny real run with a kept generator, shared by the module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.conftest import write_store


@pytest.fixture
def demo_store(tmp_path) -> Path:
    """An output directory holding the report tests' demo store (MoG and image runs, a failed run)."""
    out = tmp_path / "out"
    out.mkdir()
    write_store(out / "results.sqlite")
    return out
