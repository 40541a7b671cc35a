"""``gaussian-fit``: how well a Gaussian fits a univariate mixture, under f-GAN's divergences.

f-GAN's synthetic experiment (Nowozin et al. 2016, Table 3) trains a Gaussian sampler
``x = mu + sigma z`` against a mixture P and reports the learned ``mu`` and ``sigma`` beside the
Gaussian that minimises the same divergence exactly. This module gives both halves:

* the metric: ``mu`` and ``sigma`` of the generated samples, and ``f_<divergence>`` =
  D_f(P || N(mu, sigma^2)) computed by quadrature for every divergence of the paper's Table 1;
* :func:`direct_minimum`: ganbench's own exact reference, the (mu, sigma) that minimises
  D_f(P || N(mu, sigma^2)) found by scipy (Nelder-Mead on (mu, log sigma), quadrature inside).

Divergences use the paper's generator functions f (Table 1), so ``f_js`` is twice the
Jensen-Shannon divergence (f(u) = u log u - (u+1) log((u+1)/2)) and ``f_gan`` is
2 JS - log 4, exactly as the paper's numbers are. For a model whose samples are not Gaussian
the ``f_*`` values describe the Gaussian with its mean and std, not the model itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

import numpy as np
from scipy import optimize
from scipy.special import logsumexp

from ganbench.contract import Dataset, MetricContext, MetricSpec, MetricValue
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION

Mixture = tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]
"""(weights, means, stds) of a univariate mixture."""

GRID_POINTS = 8_001
LN2 = math.log(2.0)


def _kl(p: np.ndarray, q: np.ndarray, lp: np.ndarray, lq: np.ndarray) -> np.ndarray:
    return p * (lp - lq)


def _reverse_kl(p: np.ndarray, q: np.ndarray, lp: np.ndarray, lq: np.ndarray) -> np.ndarray:
    return q * (lq - lp)


def _pearson(p: np.ndarray, q: np.ndarray, lp: np.ndarray, lq: np.ndarray) -> np.ndarray:
    # (p - q)^2 / q = p^2/q - 2p + q, p^2/q in log space so that no 0/0 appears in the tails
    return np.exp(np.minimum(2 * lp - lq, 700.0)) - 2 * p + q


def _squared_hellinger(p: np.ndarray, q: np.ndarray, lp: np.ndarray, lq: np.ndarray) -> np.ndarray:
    return (np.sqrt(p) - np.sqrt(q)) ** 2


def _js(p: np.ndarray, q: np.ndarray, lp: np.ndarray, lq: np.ndarray) -> np.ndarray:
    lm = np.logaddexp(lp, lq)
    return p * (LN2 + lp - lm) + q * (LN2 + lq - lm)


def _gan(p: np.ndarray, q: np.ndarray, lp: np.ndarray, lq: np.ndarray) -> np.ndarray:
    lm = np.logaddexp(lp, lq)
    return p * (lp - lm) + q * (lq - lm)


def _jeffrey(p: np.ndarray, q: np.ndarray, lp: np.ndarray, lq: np.ndarray) -> np.ndarray:
    return (p - q) * (lp - lq)


INTEGRANDS: dict[str, Callable[..., np.ndarray]] = {
    "kl": _kl,
    "reverse_kl": _reverse_kl,
    "js": _js,
    "squared_hellinger": _squared_hellinger,
    "pearson": _pearson,
    "gan": _gan,
    "jeffrey": _jeffrey,
}
"""The integrand q f(p/q) of D_f(P || Q) for f of f-GAN's Table 1, written with densities and log
densities (p, q, log p, log q) so that no ratio over- or underflows."""


def as_mixture(weights: Sequence[float], means: Sequence[float], stds: Sequence[float]) -> Mixture:
    w = np.asarray(weights, dtype=np.float64)
    return (tuple((w / w.sum()).tolist()), tuple(float(m) for m in means), tuple(float(s) for s in stds))


def _grid(mix: Mixture, mu: float, sigma: float) -> np.ndarray:
    lo = min(min(m - 14 * s for m, s in zip(mix[1], mix[2])), mu - 14 * sigma)
    hi = max(max(m + 14 * s for m, s in zip(mix[1], mix[2])), mu + 14 * sigma)
    return np.linspace(lo, hi, GRID_POINTS)


def _log_normal(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    return -0.5 * ((x - mu) / sigma) ** 2 - math.log(sigma) - 0.5 * math.log(2 * math.pi)


def _log_mixture(x: np.ndarray, mix: Mixture) -> np.ndarray:
    parts = [math.log(w) + _log_normal(x, m, s) for w, m, s in zip(*mix)]
    return logsumexp(np.stack(parts), axis=0)


def divergence(mix: Mixture, mu: float, sigma: float, name: str) -> float:
    """D_f(P || N(mu, sigma^2)) for the mixture P, by the trapezoid rule on a grid that covers
    14 standard deviations of every component and of the Gaussian (error far below 1e-6)."""
    if name not in INTEGRANDS:
        raise ValueError(f"unknown divergence {name!r}; one of {', '.join(INTEGRANDS)}")
    if not (math.isfinite(mu) and math.isfinite(sigma) and sigma > 0):
        return math.inf
    x = _grid(mix, mu, sigma)
    lp, lq = _log_mixture(x, mix), _log_normal(x, mu, sigma)
    vals = INTEGRANDS[name](np.exp(lp), np.exp(lq), lp, lq)
    return float(np.trapezoid(vals, x))


def moments(mix: Mixture) -> tuple[float, float]:
    """Mean and standard deviation of the mixture (the KL(P||Q) minimiser among Gaussians)."""
    w, m, s = (np.asarray(a) for a in mix)
    mean = float(np.sum(w * m))
    return mean, float(math.sqrt(np.sum(w * (s**2 + m**2)) - mean**2))


@lru_cache(maxsize=256)
def direct_minimum(mix: Mixture, name: str) -> tuple[float, float, float]:
    """(mu*, sigma*, D_f(P || N(mu*, sigma*^2))): the Gaussian that minimises the divergence,
    by Nelder-Mead over (mu, log sigma) from the mixture's moments and from each component,
    keeping the best (a divergence such as reverse KL can have a local minimum per mode)."""
    def objective(t: np.ndarray) -> float:
        return divergence(mix, float(t[0]), float(math.exp(t[1])), name)

    starts = [moments(mix)] + list(zip(mix[1], mix[2]))
    best = None
    for mu0, sd0 in starts:
        r = optimize.minimize(objective, np.array([mu0, math.log(sd0)]), method="Nelder-Mead",
                              options={"xatol": 1e-6, "fatol": 1e-11, "maxiter": 2000})
        if best is None or r.fun < best.fun:
            best = r
    assert best is not None
    return float(best.x[0]), float(math.exp(best.x[1])), float(best.fun)


def mixture_of(ds: Dataset) -> Mixture | None:
    m = ds.info.extra.get("mixture_1d") if ds.info.extra else None
    if not isinstance(m, Mapping):
        return None
    return as_mixture(m["weights"], m["means"], m["stds"])


def applies(ds: Dataset) -> bool:
    return ds.kind == "vector" and ds.sample_shape == (1,) and mixture_of(ds) is not None


def compute(ctx: MetricContext) -> dict[str, MetricValue]:
    mix = mixture_of(ctx.dataset)
    if mix is None:
        raise ValueError("gaussian-fit needs a univariate mixture dataset (info.extra['mixture_1d'])")
    x = ctx.samples.detach().to("cpu").double().reshape(-1).numpy()
    n = int(x.size)
    mu, sigma = float(x.mean()), float(x.std(ddof=1)) if n > 1 else 0.0
    note = "of N(mu, sigma^2) fitted to the samples by their mean and std; paper's f (f_js = 2 JS)"
    out = {
        "mu": MetricValue(mu, None, n_samples=n, note="mean of the samples"),
        "sigma": MetricValue(sigma, None, n_samples=n, note="standard deviation of the samples (ddof 1)"),
    }
    for name in INTEGRANDS:
        out[f"f_{name}"] = MetricValue(divergence(mix, mu, sigma, name), "lower", n_samples=n, note=note)
    return out


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    description = "mean, std and exact f-divergences of the Gaussian fitted to 1-D samples of a mixture (f-GAN Table 3)"
    return [MetricSpec("gaussian-fit", compute, applies_to=applies, description=description, version="1", api_version=API_VERSION)]
