"""The sequence models here are tiny: one thread (two OpenMP threads spinning against each other on a
busy 2-core machine made a 60-step MLE test take 30 s instead of 1)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread(one_thread):
    """:func:`tests.conftest.one_thread`, for every test here."""
