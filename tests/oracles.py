"""Optional oracles of the tests (reference implementations from the dev extra): a test that needs
one skips where it is not installed, but fails in CI (CI=true), where the dev extra is installed
and a missing oracle means the comparison silently stopped running."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def need(module: str, why: str = "the dev extra's oracle (pip install -e '.[dev]')") -> ModuleType:
    """``module`` imported, or a skip (locally) / failure (in CI) naming it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = f"{module} is not importable ({exc}): {why}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
