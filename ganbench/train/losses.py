"""The loss curve of a run, thinned: what ``train_step`` returned, kept at a bounded size.

A 400k-step run must not write 400k rows, and a GAN author reads the loss curves first. The budget
(steps, kimg or seconds alike) is cut into ``points`` equal slices; at the end of each slice the
*mean* of every loss over the steps of that slice is recorded, and the last step always closes a
slice. So a run has at most ``points + 1`` points per loss, evenly spaced in budget, and no step's
loss is dropped from the average. They are stored as metric rows named ``loss/<name>`` with
``final=0`` (so they ride along in checkpoints and merged stores, and never count as a result).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

MAX_LOSS_POINTS = 500
LOSS_PREFIX = "loss/"


class LossSeries:
    """Accumulates per-step losses and says when a thinned point is due."""

    def __init__(self, points: int = MAX_LOSS_POINTS, start_fraction: float = 0.0) -> None:
        self.points = points
        self.slot = math.floor(start_fraction * points)  # a resumed run continues its slices
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, losses: Mapping[str, float], fraction: float, last: bool) -> dict[str, float] | None:
        """Add one step's losses; return the slice means when this step closes a slice, else None."""
        for k, v in losses.items():
            self.sums[k] = self.sums.get(k, 0.0) + float(v)
            self.counts[k] = self.counts.get(k, 0) + 1
        slot = math.floor(min(fraction, 1.0) * self.points)
        if slot <= self.slot and not last:
            return None
        self.slot = slot
        out = {f"{LOSS_PREFIX}{k}": self.sums[k] / self.counts[k] for k in self.sums}
        self.sums.clear()
        self.counts.clear()
        return out


def is_loss(name: str) -> bool:
    return name.startswith(LOSS_PREFIX)
