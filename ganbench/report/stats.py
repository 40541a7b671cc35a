"""The leaderboard's noise rule, on :mod:`ganbench.analyse.stats` (the one Welch in ganbench).

Why a Welch t-test: seeds give a handful of values per model with unequal spreads, and the reader
needs one honest sentence ("GAN pack 2 cannot be told apart from the best at 3 seeds"), not a
ranking that flips on the next run. "Cannot tell" is not "equal": every leaderboard table also
states the smallest difference its seeds could detect (:func:`ganbench.analyse.stats.min_detectable_difference`).
With one seed on either side the question has no answer, and the report says so instead of guessing.
"""

from __future__ import annotations

from ganbench.analyse.stats import ALPHA, mean_ci, min_detectable_difference, welch_p

__all__ = ["ALPHA", "mean_ci", "min_detectable_difference", "noise_verdict", "welch_p"]


def noise_verdict(p: float | None, alpha: float = ALPHA) -> str:
    """``"noise"`` (cannot tell apart), ``"significant"``, or ``"unknown"`` (too few seeds)."""
    if p is None:
        return "unknown"
    return "noise" if p >= alpha else "significant"
