"""Where a run is in its budget, for models whose training depends on it (learning-rate schedules).

Reference configurations schedule by progress: Mimicry decays every learning rate linearly to 0
over its 100k steps, StyleGAN2 ramps its EMA up over the first kimg. A ganbench budget may be
steps, kimg or seconds, and a suite or ``--budget`` can change it, so a model must never hard-code
"100k": it reads :class:`TrainingProgress` (``ctx.progress``), which the harness updates before
every ``train_step``, and scales by the *fraction* of the budget used. A schedule written that way
means the same thing at every budget, and a resumed run continues it exactly (the fraction comes
from the restored budget meter).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

LR_SCHEDULES = ("constant", "linear")


@dataclass(frozen=True)
class TrainingBudget:
    """The run's whole budget, as the suite resolved it."""

    kind: str
    """``steps``, ``kimg`` or ``seconds``."""
    amount: float
    total_steps: int | None = None
    """Generator steps the run will take, when known before it starts (steps and kimg budgets;
    ``None`` for seconds)."""


class TrainingProgress:
    """The run's position in its budget, updated by the harness before every ``train_step``.

    ``step`` is the number of generator steps already taken (0 during the first ``train_step``),
    ``fraction`` the share of the budget used before this step (0 ≤ fraction < 1 inside a step),
    ``kimg`` the thousands of real samples shown to D so far. Outside the harness (a plugin's own
    tests) it stays at 0 unless the test calls :meth:`update`.
    """

    __slots__ = ("budget", "step", "fraction", "kimg")

    def __init__(self, budget: TrainingBudget | None = None) -> None:
        self.budget = budget
        self.step = 0
        self.fraction = 0.0
        self.kimg = 0.0

    def update(self, *, step: int, fraction: float, kimg: float) -> None:
        if not 0.0 <= fraction <= 1.0 or not math.isfinite(fraction):
            raise ValueError(f"training progress fraction must be in [0, 1], got {fraction}")
        self.step, self.fraction, self.kimg = int(step), float(fraction), float(kimg)

    def __repr__(self) -> str:
        return f"TrainingProgress(step={self.step}, fraction={self.fraction:.4f}, kimg={self.kimg:.3f})"


def lr_factor(kind: str, progress: TrainingProgress, *, start: float = 0.0, steps: int | None = None) -> float:
    """The multiplier of a base learning rate at ``progress``.

    ``constant``: 1. ``linear``: 1 until ``start`` (a fraction of the schedule), then linearly to 0
    at its end -- Mimicry's ``lr_decay="linear"`` (torch_mimicry.training.scheduler, which decays
    from step ``start_step`` to ``num_steps``). By default the schedule spans the run's budget, so
    it follows any budget. ``steps`` pins it to a reference's own length instead (Mimicry's
    ``num_steps`` = 100k): a shorter run then trains the first part of the reference's schedule,
    not a compressed copy of all of it, and a longer one keeps the rate at 0 after ``steps``.
    """
    if kind == "constant":
        return 1.0
    if kind == "linear":
        if not 0.0 <= start < 1.0:
            raise ValueError(f"lr decay start must be a schedule fraction in [0, 1), got {start}")
        if steps is not None and steps < 1:
            raise ValueError(f"lr decay steps must be a positive number of generator steps, got {steps}")
        fraction = progress.fraction if steps is None else min(1.0, progress.step / steps)
        if fraction <= start:
            return 1.0
        return max(0.0, 1.0 - (fraction - start) / (1.0 - start))
    raise ValueError(f"unknown lr schedule {kind!r}; known: {', '.join(LR_SCHEDULES)}")


def set_lr(optimizers: torch.optim.Optimizer | Iterable[torch.optim.Optimizer],
           base_lrs: float | Iterable[float | Sequence[float]], factor: float) -> None:
    """Set every param group of each optimizer to ``base_lr * factor``; a base given as a sequence
    holds one rate per param group (e.g. StyleGAN's mapping network at its own multiplier).

    Stateless on purpose (no ``LRScheduler`` object to checkpoint): the rate is a function of the
    progress alone, so a resumed run gets the same rate as an uninterrupted one.
    """
    opts = [optimizers] if isinstance(optimizers, torch.optim.Optimizer) else list(optimizers)
    lrs: list[Any] = [base_lrs] * len(opts) if isinstance(base_lrs, (int, float)) else list(base_lrs)
    if len(lrs) != len(opts):
        raise ValueError(f"{len(opts)} optimizers but {len(lrs)} base learning rates")
    for opt, lr in zip(opts, lrs):
        per_group = list(lr) if isinstance(lr, Sequence) else [lr] * len(opt.param_groups)
        if len(per_group) != len(opt.param_groups):
            raise ValueError(f"{len(opt.param_groups)} param groups but {len(per_group)} base learning rates")
        for group, base in zip(opt.param_groups, per_group):
            group["lr"] = float(base) * factor
