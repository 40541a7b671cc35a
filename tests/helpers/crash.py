"""Interrupting a training run at a chosen step, as a SIGKILL would, for the resume tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ganbench.train import loop as loop_mod


class Crash(BaseException):
    """Not an Exception: like a SIGKILL, nothing in the harness catches it."""


@contextmanager
def crashing_at(step: int) -> Iterator[None]:
    """Inside the block every run dies with :class:`Crash` when it reaches training step ``step``
    (after its checkpoints up to there, before that step's losses are checked)."""
    original = loop_mod.RunLoop._check_losses

    def crash(self, losses, at):
        if at == step:
            raise Crash()
        return original(self, losses, at)

    loop_mod.RunLoop._check_losses = crash
    try:
        yield
    finally:
        loop_mod.RunLoop._check_losses = original
