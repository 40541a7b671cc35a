"""Is a difference between two models real, or within the noise of the seeds?

Why a Welch t-test: seeds give a handful of values per model with unequal spreads, and the reader
needs one honest sentence ("GAN pack 2 is not distinguishable from the best at 3 seeds"), not a
ranking that flips on the next run. With one seed on either side the question has no answer, and
the report says so instead of guessing.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy import stats

ALPHA = 0.05


def welch_p(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Two-sided Welch t-test p-value of mean(a) == mean(b); ``None`` when either side has fewer
    than two finite values. Two constant samples are equal (p = 1) or certainly different (p = 0)."""
    x = np.asarray([v for v in a if v is not None and math.isfinite(v)], dtype=np.float64)
    y = np.asarray([v for v in b if v is not None and math.isfinite(v)], dtype=np.float64)
    if len(x) < 2 or len(y) < 2:
        return None
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        return 1.0 if np.isclose(x[0], y[0]) else 0.0
    p = float(stats.ttest_ind(x, y, equal_var=False).pvalue)
    return p if math.isfinite(p) else None


def noise_verdict(p: float | None, alpha: float = ALPHA) -> str:
    """``"noise"`` (not significant), ``"significant"``, or ``"unknown"`` (too few seeds)."""
    if p is None:
        return "unknown"
    return "noise" if p >= alpha else "significant"
