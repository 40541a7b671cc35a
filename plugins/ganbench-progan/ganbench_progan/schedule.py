"""ProGAN's growth schedule (the authors' ``TrainingSchedule`` in train.py), in kimg as the paper,
scaled to whatever budget the harness sets.

The reference schedule shows ``lod_training_kimg`` thousand real images at each resolution, then
fades the next one in over ``lod_transition_kimg``, from ``initial_resolution`` up to the data's,
and trains at full resolution until ``total_kimg``. A ganbench run has its own budget (steps, kimg
or seconds), so the run's budget fraction f maps to the reference's kimg f * total_kimg: a run of
any length walks the same schedule in proportion (the code's defaults: 600 + 600 kimg per phase,
12,000 kimg in all, so a 4 -> 32 px run grows during the first 35 % and trains at 32 px after).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class GrowthSchedule:
    levels: int
    """Number of doublings from the initial resolution to the data's."""
    training_kimg: float = 600.0
    transition_kimg: float = 600.0
    total_kimg: float = 12_000.0

    def lod(self, ref_kimg: float) -> float:
        """Level of detail at ``ref_kimg`` of the reference schedule: ``levels`` at the start, 0 at full
        resolution; fractional while a new resolution fades in."""
        phase = self.training_kimg + self.transition_kimg
        idx = math.floor(ref_kimg / phase)
        into = ref_kimg - idx * phase
        lod = self.levels - idx
        if self.transition_kimg > 0:
            lod -= max(into - self.training_kimg, 0.0) / self.transition_kimg
        return max(lod, 0.0)

    def lod_at_fraction(self, fraction: float) -> float:
        return self.lod(min(max(fraction, 0.0), 1.0) * self.total_kimg)

    def resolution(self, lod: float, full: int) -> int:
        """The resolution G currently draws at (the new one while it fades in)."""
        return full // 2 ** math.floor(lod)
