"""Is a difference between two models real, or within the noise of the seeds?

Why a Welch t-test: seeds give a handful of values per model with unequal spreads, and the reader
needs one honest sentence ("GAN pack 2 is not distinguishable from the best at 3 seeds"), not a
ranking that flips on the next run. With one seed on either side the question has no answer, and
the report says so instead of guessing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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
    sx, sy = _sd(x), _sd(y)
    if sx == 0 and sy == 0:
        return 1.0 if np.isclose(x.mean(), y.mean()) else 0.0
    # From the moments, not the raw values: seeds that tie (8, 8, 8 modes) would make scipy's
    # ttest_ind warn about "catastrophic cancellation" into the user's run; a zero spread on one
    # side is an ordinary Welch test (the other side's variance carries it).
    p = float(stats.ttest_ind_from_stats(x.mean(), sx, len(x), y.mean(), sy, len(y), equal_var=False).pvalue)
    return p if math.isfinite(p) else None


def _sd(v: np.ndarray) -> float:
    """Sample std (ddof=1), 0 when the values agree to 12 significant digits (float noise is a tie)."""
    sd = float(np.std(v, ddof=1))
    return 0.0 if sd <= 1e-12 * float(np.abs(v).max()) else sd


def noise_verdict(p: float | None, alpha: float = ALPHA) -> str:
    """``"noise"`` (not significant), ``"significant"``, or ``"unknown"`` (too few seeds)."""
    if p is None:
        return "unknown"
    return "noise" if p >= alpha else "significant"
