"""ganbench.analyse.stats against independent oracles: scipy for Welch and the t interval, statsmodels for
TOST, the interval of a difference, Holm, Benjamini–Hochberg and power."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ttost_ind

from ganbench.analyse import stats as gs

RNG = np.random.default_rng(27)
PAIRS = [(RNG.normal(0, 1, n1), RNG.normal(0.4, s, n2)) for n1, n2, s in
         [(3, 3, 1.0), (5, 8, 2.5), (10, 10, 0.3), (24, 24, 1.0), (4, 30, 5.0)]]


@pytest.mark.parametrize("a,b", PAIRS)
def test_welch_p_and_ci_equal_scipy_and_statsmodels(a, b):
    d = gs.welch(gs.Side.of(a), gs.Side.of(b))
    res = stats.ttest_ind(a, b, equal_var=False)
    assert d.p == pytest.approx(res.pvalue, rel=1e-10)
    assert d.df == pytest.approx(res.df, rel=1e-10)
    lo, hi = res.confidence_interval(0.95)
    assert (d.lo, d.hi) == (pytest.approx(lo, rel=1e-9), pytest.approx(hi, rel=1e-9))
    cm = CompareMeans(DescrStatsW(a), DescrStatsW(b))
    slo, shi = cm.tconfint_diff(alpha=0.05, usevar="unequal")
    assert (d.lo, d.hi) == (pytest.approx(slo, rel=1e-9), pytest.approx(shi, rel=1e-9))
    assert gs.welch_p(list(a), list(b)) == pytest.approx(res.pvalue, rel=1e-10)


@pytest.mark.parametrize("a,b", PAIRS)
@pytest.mark.parametrize("margin", [0.2, 1.0, 3.0])
def test_tost_equals_statsmodels(a, b, margin):
    p = gs.tost(gs.welch(gs.Side.of(a), gs.Side.of(b)), margin)
    expected = ttost_ind(a, b, -margin, margin, usevar="unequal")[0]
    assert p == pytest.approx(expected, rel=1e-9)


def test_tost_is_the_90_percent_interval_inside_the_margin():
    a, b = PAIRS[3]
    d90 = gs.welch(gs.Side.of(a), gs.Side.of(b), confidence=0.90)
    d = gs.welch(gs.Side.of(a), gs.Side.of(b))
    inside = max(abs(d90.lo), abs(d90.hi))
    assert gs.tost(d, inside * 1.001) < 0.05 <= gs.tost(d, inside * 0.999)


def test_mean_ci_equals_statsmodels():
    x = RNG.normal(3, 2, 7)
    mean, lo, hi = gs.mean_ci(list(x))
    slo, shi = DescrStatsW(x).tconfint_mean(alpha=0.05)
    assert mean == pytest.approx(x.mean()) and lo == pytest.approx(slo) and hi == pytest.approx(shi)
    assert gs.mean_ci([1.0]) is None and gs.mean_ci([1.0, float("nan")]) is None


@pytest.mark.parametrize("method,ours", [("holm", gs.holm), ("fdr_bh", gs.benjamini_hochberg)])
def test_multiplicity_equals_statsmodels(method, ours):
    for _ in range(6):  # statsmodels' multipletests is slow (~0.1-0.3 s a call)
        p = list(RNG.uniform(0, 0.2, RNG.integers(1, 30)))
        p[0] = p[-1]  # a tie
        expected = multipletests(p, method=method)[1]
        assert ours(p) == pytest.approx(list(expected), rel=1e-12)


def test_multiplicity_leaves_missing_cells_out_of_the_family():
    assert gs.holm([0.01, None, 0.04]) == [pytest.approx(0.02), None, pytest.approx(0.04)]
    assert gs.benjamini_hochberg([None, 0.01, 0.04]) == [None, pytest.approx(0.02), pytest.approx(0.04)]
    assert gs.holm([]) == []


@pytest.mark.parametrize("n", [3, 5, 10, 24])
def test_min_detectable_difference_equals_statsmodels_power(n):
    sd = 1.7
    d = gs.min_detectable_difference(sd, n)
    effect = TTestIndPower().solve_power(nobs1=n, alpha=0.05, power=0.8, ratio=1.0)
    assert d == pytest.approx(effect * sd, rel=1e-4)
    assert gs.min_detectable_difference(sd, 1) is None and gs.min_detectable_difference(0.0, 5) == 0.0


def test_seeds_for_equivalence_reaches_the_stated_power_by_simulation():
    """The seeds it asks for do show equivalence about 80 % of the time at a true difference 0
    (both sides redrawn each time: the paper's 10 trials are a sample too)."""
    n = gs.seeds_for_equivalence(1.0, gs.Side.from_sd(10.0, 1.0, 10), margin=1.2)
    assert n is not None and 5 <= n <= 40
    rng = np.random.default_rng(1)

    def shown(k: int) -> float:
        return float(np.mean([gs.tost(gs.welch(gs.Side.of(rng.normal(10.0, 1.0, k)), gs.Side.of(rng.normal(10.0, 1.0, 10))),
                                      1.2) < 0.05 for _ in range(2000)]))

    assert 0.72 <= shown(n) <= 0.9
    assert shown(max(2, n - 4)) < 0.8


def test_seeds_for_equivalence_is_none_when_the_paper_alone_fills_the_margin():
    paper = gs.Side.from_sd(6.3, 0.5 * math.sqrt(10), 10)  # PacGAN's GAN ring modes: 6.3 ± 0.5 (sem)
    assert gs.seeds_for_equivalence(0.5, paper, margin=1.0) is None


def test_ties_and_exact_values():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scipy's "catastrophic cancellation" must not reach users
        assert gs.welch_p([8, 8, 8], [8, 8]) == 1.0
        assert gs.welch_p([8, 8, 8], [7, 7, 7]) == 0.0
        one_tied = gs.welch_p([8, 8, 8], [7, 8, 9, 8])
    assert one_tied == pytest.approx(stats.ttest_ind_from_stats(8, 0, 3, 8, np.std([7, 8, 9, 8], ddof=1), 4,
                                                                equal_var=False).pvalue)
    assert gs.welch_p([1.0], [1.0, 2.0]) is None
    exact = gs.welch(gs.Side.known(1000.0, 0.0), gs.Side.of([1000.0, 1000.0, 1000.0]))
    assert exact.p == 1.0 and gs.tost(exact, 1.0) == 0.0
    off = gs.welch(gs.Side.known(1000.0, 0.0), gs.Side.of([990.0, 990.0]))
    assert off.p == 0.0 and gs.tost(off, 5.0) == 1.0 and gs.tost(off, 20.0) == 0.0
    with pytest.raises(ValueError, match="margin"):
        gs.tost(exact, 0.0)
    with pytest.raises(ValueError, match="n >= 2"):
        gs.Side.from_sd(1.0, 1.0, 1)


def test_a_known_side_adds_variance_but_no_degrees_of_freedom_penalty():
    """Ours (5 seeds) against a number with an assumed standard error: the df are those of our
    side alone (Satterthwaite with an infinite-df term), and the p equals a z/t mix computed by hand."""
    ours = gs.Side.of([10.0, 11.0, 9.5, 10.4, 10.9])
    paper = gs.Side.known(9.0, 0.5)
    d = gs.welch(ours, paper)
    v1, v2 = ours.se ** 2, 0.25
    assert d.df == pytest.approx((v1 + v2) ** 2 / (v1 ** 2 / 4))
    assert d.p == pytest.approx(2 * stats.t.sf(abs(d.diff) / math.sqrt(v1 + v2), d.df))
