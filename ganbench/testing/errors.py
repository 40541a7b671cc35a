"""How a conformance check ends when it does not pass: a broken contract, or a check that does not apply.

Kept apart from the checks so the pytest entry and the plain-Python runner share one error type
without importing each other.
"""

from __future__ import annotations

from typing import NoReturn

import pytest


def not_applicable(reason: str) -> NoReturn:
    """End a check that does not apply to this model: pytest reports it SKIPPED with ``reason``,
    :func:`check_model` lists it in :attr:`KitReport.skipped` (never as passed)."""
    pytest.skip(reason)


class ConformanceError(AssertionError):
    """A model breaks the plugin contract; the message names the model and the check."""
