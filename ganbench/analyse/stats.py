"""The statistics every verdict in ganbench rests on, in one place.

Why one module: the leaderboard ("within seed noise of the best"), the published-rows verdicts,
``ganbench check --references`` and the equivalence tests all compare a few seeds with a few
seeds (or with a paper's mean ± spread). Two copies of Welch's test drifted apart in how they
treated tied seeds; here there is one, and every procedure is tested against scipy and
statsmodels (tests/core/test_statistics.py).

What is here, and why each:

- :func:`welch` — the difference of two means with its standard error, Welch–Satterthwaite
  degrees of freedom, two-sided p and confidence interval. Seeds have unequal spreads, so no
  pooled variance. A side may be a *known* spread (a paper's number with an assumed standard
  error): it then adds variance but no degrees-of-freedom penalty.
- :func:`mean_ci` — the t interval of one mean.
- :func:`tost` — Schuirmann's two one-sided tests: "equal within ±margin" is shown only when the
  whole (1 − 2α) interval of the difference lies inside the margin. "Not significantly different"
  is *not* equality; at 3 seeds almost anything is not significant.
- :func:`holm` and :func:`benjamini_hochberg` — multiplicity control over a family of cells; a
  suite compares 8–32 cells and at α = 0.05 per cell a true null suite would fail ~half the time.
- :func:`min_detectable_difference` and :func:`seeds_for_equivalence` — power, so "cannot tell"
  carries the size it cannot tell and the seeds that would tell it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special
from scipy import stats as st

ALPHA = 0.05
POWER = 0.80


def finite(values: Iterable[float | None]) -> np.ndarray:
    """The finite values (None, NaN and ±inf dropped: a failed seed has no value, not a zero)."""
    return np.asarray([v for v in values if v is not None and math.isfinite(float(v))], dtype=np.float64)


def sample_sd(values: np.ndarray) -> float:
    """Sample std (ddof=1); 0 when the values agree to 12 significant digits, so float noise in
    seeds that tie (8, 8, 8 modes) is a tie rather than a spread of 1e-16 that makes p exactly 0.
    ``nan`` with fewer than two values."""
    if len(values) < 2:
        return math.nan
    sd = float(np.std(values, ddof=1))
    return 0.0 if sd <= 1e-12 * max(float(np.abs(values).max()), 1e-300) else sd


@dataclass(frozen=True)
class Side:
    """One side of a comparison as summary statistics: mean, standard error of that mean, and the
    degrees of freedom of the standard error (``inf`` when the spread is known or assumed)."""

    mean: float
    se: float
    dof: float

    @staticmethod
    def of(values: Iterable[float | None]) -> Side | None:
        """From raw seeds; ``None`` with fewer than two finite values (no spread to judge by)."""
        x = finite(values)
        if len(x) < 2:
            return None
        return Side(float(x.mean()), sample_sd(x) / math.sqrt(len(x)), float(len(x) - 1))

    @staticmethod
    def from_sd(mean: float, sd: float, n: int) -> Side:
        """From a mean, a sample std and the number of trials behind them (n ≥ 2)."""
        if n < 2:
            raise ValueError(f"a sample std needs n >= 2 trials, got n={n}")
        return Side(float(mean), float(sd) / math.sqrt(n), float(n - 1))

    @staticmethod
    def known(mean: float, se: float) -> Side:
        """A value whose standard error is stated rather than estimated (an assumed spread)."""
        return Side(float(mean), float(se), math.inf)


@dataclass(frozen=True)
class Difference:
    """``a − b`` with its Welch standard error, degrees of freedom, two-sided p and CI."""

    diff: float
    se: float
    df: float
    p: float
    lo: float
    hi: float
    confidence: float

    def t_crit(self, q: float) -> float:
        return _t_ppf(q, self.df)


# scipy.special's t and normal functions: the same numbers as scipy.stats.t / norm without the
# per-call argument handling (a suite's verdicts and the simulations call these thousands of times)
def _t_ppf(q: float, df: float) -> float:
    return float(special.ndtri(q)) if math.isinf(df) else float(special.stdtrit(df, q))


def _t_sf(x: float, df: float) -> float:
    return float(special.ndtr(-x)) if math.isinf(df) else float(special.stdtr(df, -x))


def welch_df(a: Side, b: Side) -> float:
    """Welch–Satterthwaite degrees of freedom; a known side contributes no estimation error."""
    va, vb = a.se ** 2, b.se ** 2
    den = (va ** 2 / a.dof if math.isfinite(a.dof) else 0.0) + (vb ** 2 / b.dof if math.isfinite(b.dof) else 0.0)
    if den == 0:
        return math.inf if va + vb > 0 else math.nan
    return (va + vb) ** 2 / den


def welch(a: Side, b: Side, confidence: float = 0.95) -> Difference:
    """Welch's unequal-variance comparison of ``a.mean − b.mean``.

    Both spreads zero (two exact values, e.g. 1000 ± 0 modes against seeds all at 1000): the
    difference is exact, p is 1 when the means agree (to 1e-9 relative) and 0 otherwise."""
    d = a.mean - b.mean
    se = math.hypot(a.se, b.se)
    if se == 0:
        same = math.isclose(a.mean, b.mean, rel_tol=1e-9, abs_tol=1e-12)
        return Difference(0.0 if same else d, 0.0, math.inf, 1.0 if same else 0.0, d, d, confidence)
    df = welch_df(a, b)
    p = min(1.0, 2 * _t_sf(abs(d) / se, df))
    h = _t_ppf(0.5 + confidence / 2, df) * se
    return Difference(d, se, df, p, d - h, d + h, confidence)


def welch_p(a: Sequence[float | None], b: Sequence[float | None]) -> float | None:
    """Two-sided Welch p of mean(a) == mean(b) on raw seeds; ``None`` when either side has fewer
    than two finite values."""
    sa, sb = Side.of(a), Side.of(b)
    if sa is None or sb is None:
        return None
    return welch(sa, sb).p


def mean_ci(values: Sequence[float | None], confidence: float = 0.95) -> tuple[float, float, float] | None:
    """(mean, lo, hi): the t interval of the mean of the finite values; ``None`` below 2 values."""
    s = Side.of(values)
    if s is None:
        return None
    h = _t_ppf(0.5 + confidence / 2, s.dof) * s.se
    return s.mean, s.mean - h, s.mean + h


def tost(d: Difference, margin: float) -> float:
    """p of Schuirmann's two one-sided tests that ``|true difference| < margin``.

    Equivalence is shown at level α when p < α, which is the same as the (1 − 2α) CI of the
    difference lying inside (−margin, margin). With an exact difference (no spread) p is 0 inside
    the margin and 1 outside."""
    if margin <= 0:
        raise ValueError(f"an equivalence margin must be > 0, got {margin}")
    if d.se == 0:
        return 0.0 if abs(d.diff) < margin else 1.0
    p_low = _t_sf((d.diff + margin) / d.se, d.df)     # H0: diff <= -margin
    p_high = _t_sf((margin - d.diff) / d.se, d.df)    # H0: diff >= +margin
    return max(p_low, p_high)


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (family-wise error control); ``None`` entries are not
    part of the family and stay ``None``."""
    idx = [i for i, p in enumerate(pvalues) if p is not None and math.isfinite(p)]
    out: list[float | None] = [None] * len(pvalues)
    m, running = len(idx), 0.0
    for rank, i in enumerate(sorted(idx, key=lambda i: pvalues[i])):  # type: ignore[arg-type,return-value]
        running = max(running, min(1.0, (m - rank) * float(pvalues[i])))  # type: ignore[arg-type]
        out[i] = running
    return out


def benjamini_hochberg(pvalues: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg step-up adjusted p-values (false-discovery-rate control); ``None``
    entries are not part of the family and stay ``None``."""
    idx = [i for i, p in enumerate(pvalues) if p is not None and math.isfinite(p)]
    out: list[float | None] = [None] * len(pvalues)
    m, running = len(idx), 1.0
    for rank, i in reversed(list(enumerate(sorted(idx, key=lambda i: pvalues[i]), start=1))):  # type: ignore[arg-type,return-value]
        running = min(running, m / rank * float(pvalues[i]))  # type: ignore[arg-type]
        out[i] = running
    return out


ADJUST = {"holm": holm, "bh": benjamini_hochberg}
ADJUST_TEXT = {"holm": "Holm (family-wise error ≤ α)", "bh": "Benjamini–Hochberg (false-discovery rate ≤ α)"}


def min_detectable_difference(sd: float, n: int, alpha: float = ALPHA, power: float = POWER) -> float | None:
    """The smallest true difference of two means, n seeds each with std ``sd``, that a two-sided
    t test at ``alpha`` detects with probability ``power`` (exact, noncentral t). ``None`` below
    2 seeds. A gap smaller than this reading "within noise" means "cannot tell", not "equal"."""
    if n < 2 or not math.isfinite(sd):
        return None
    if sd == 0:
        return 0.0
    df = 2 * n - 2
    tc = float(st.t.ppf(1 - alpha / 2, df))
    scale = math.sqrt(n / 2)

    def gap(d: float) -> float:
        nc = d * scale
        return float(st.nct.sf(tc, df, nc) + st.nct.cdf(-tc, df, nc)) - power

    hi = 1.0
    while gap(hi) < 0:  # bracket the root: power grows with the effect, ~(t + z) / sqrt(n / 2)
        hi *= 2
    return float(optimize.brentq(gap, 1e-9, hi)) * sd


def seeds_for_equivalence(ours_sd: float, other: Side, margin: float, alpha: float = ALPHA,
                          power: float = POWER, true_diff: float = 0.0, max_n: int = 10_000) -> int | None:
    """The fewest seeds of ours (std ``ours_sd``) for a TOST against ``other`` (its standard error
    fixed: a paper's trials are what they are) to show equivalence within ``margin`` with
    probability ``power`` when the true difference is ``true_diff``. ``None`` when no number of
    seeds reaches it (the other side's own uncertainty already fills the margin).

    Power by the usual t approximation: margin − |δ| ≥ (t₁₋α + t₁₋β′)·SE with β′ = (1 − power)/2
    at δ = 0 (both one-sided tests must pass) and β′ = 1 − power otherwise."""
    if margin <= abs(true_diff):
        return None
    q = 1 - (1 - power) / 2 if true_diff == 0 else power
    room = margin - abs(true_diff)
    if other.se * (float(st.norm.ppf(1 - alpha)) + float(st.norm.ppf(q))) >= room:
        return None  # the other side alone fills the margin: no number of our seeds helps

    def enough(n: int) -> bool:
        d = welch(Side.from_sd(0.0, ours_sd, n), other)
        return d.se == 0 or room >= (_t_ppf(1 - alpha, d.df) + _t_ppf(q, d.df)) * d.se

    if not enough(max_n):
        return None
    lo, hi = 2, max_n  # enough() is monotone in n: bisect for the first n that is enough
    while lo < hi:
        mid = (lo + hi) // 2
        if enough(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def t_interval(mean: float, sd: float, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """The t interval of a mean from its seeds' mean, sample std and count; ``None`` below 2."""
    if n < 2 or not (math.isfinite(mean) and math.isfinite(sd)):
        return None
    h = _t_ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return mean - h, mean + h
