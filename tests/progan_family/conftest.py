"""The ProGAN-family tests run on one torch thread, as tests/families' do: the models are tiny, and on
a busy 2-core machine a second OpenMP thread only spins against the first."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def one_torch_thread(one_thread) -> None:
    """:func:`tests.conftest.one_thread`, for every test here."""
