"""The sequence models here are tiny: one thread (two OpenMP threads spinning against each other on a
busy 2-core machine made a 60-step MLE test take 30 s instead of 1)."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
