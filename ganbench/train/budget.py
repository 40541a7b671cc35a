"""Budget accounting: generator steps, kimg of real samples shown to D, or training seconds.

The clock only runs inside ``train_step`` calls (evaluation, sampling for metrics and checkpoints
are excluded), so a slow metric never eats a model's training time.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganbench.plan.suite import Budget


@dataclass
class BudgetMeter:
    budget: Budget
    steps: int = 0
    real_samples: int = 0
    seconds: float = 0.0

    def __post_init__(self) -> None:
        # read per step by the loop: resolved once (Budget.kind scans its fields on every call)
        self._kind = self.budget.kind
        self._amount = self.budget.amount

    def add(self, *, real_samples: int, seconds: float) -> None:
        self.steps += 1
        self.real_samples += real_samples
        self.seconds += seconds

    @property
    def kimg(self) -> float:
        return self.real_samples / 1000.0

    @property
    def used(self) -> float:
        """Budget used, in the budget's own unit."""
        kind = self._kind
        return float(self.steps if kind == "steps" else self.kimg if kind == "kimg" else self.seconds)

    @property
    def fraction(self) -> float:
        return min(1.0, self.used / self._amount)

    @property
    def exhausted(self) -> bool:
        return self.used >= self._amount

    def state(self) -> dict[str, float]:
        return {"steps": self.steps, "real_samples": self.real_samples, "seconds": self.seconds}

    def restore(self, state: dict[str, float]) -> None:
        self.steps = int(state["steps"])
        self.real_samples = int(state["real_samples"])
        self.seconds = float(state["seconds"])
