"""One torch thread for the family tests: the models are tiny, and on a busy 2-core machine
several OpenMP threads spin against each other (measured: a 9 s test took 270 s on the default
thread count while other jobs ran)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
