"""f-GAN's Table 2 against independent math: conjugates by numerical sup, the variational bound
made tight by T* = f'(p/q) against ganbench's quadrature divergence, Lambert W against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from ganbench_fgan.divergences import DIVERGENCES, get, lambert_w_exp
from scipy.special import lambertw

from ganbench.metrics.gaussian_fit import as_mixture, divergence

# f of the paper's Table 1, for the numerical sup (independent of the closed-form conjugates)
F = {
    "kl": lambda u: u * np.log(u),
    "reverse_kl": lambda u: -np.log(u),
    "pearson": lambda u: (u - 1) ** 2,
    "squared_hellinger": lambda u: (np.sqrt(u) - 1) ** 2,
    "js": lambda u: -(u + 1) * np.log((1 + u) / 2) + u * np.log(u),
    "gan": lambda u: u * np.log(u) - (u + 1) * np.log(u + 1),
    "jeffrey": lambda u: (u - 1) * np.log(u),
}
F_PRIME = {
    "kl": lambda u: 1 + np.log(u),
    "reverse_kl": lambda u: -1 / u,
    "pearson": lambda u: 2 * (u - 1),
    "squared_hellinger": lambda u: (np.sqrt(u) - 1) / np.sqrt(u),
    "js": lambda u: np.log(2 * u / (1 + u)),
    "gan": lambda u: np.log(u / (u + 1)),
    "jeffrey": lambda u: np.log(u) + 1 - 1 / u,
}


def test_table_2_is_complete() -> None:
    assert {"kl", "reverse_kl", "js", "squared_hellinger", "pearson", "gan", "jeffrey"} <= set(DIVERGENCES)
    with pytest.raises(ValueError, match="hparam divergence must be one of"):
        get("wasserstein")


@pytest.mark.parametrize("name", sorted(F))
def test_conjugate_is_the_fenchel_sup(name: str) -> None:
    """f*(t) = sup_u (t u - f(u)) on a fine grid of u, at outputs g_f(v) of the activation."""
    d = get(name)
    u = np.exp(np.linspace(-9, 5, 400_001))
    for v in (-1.5, -0.3, 0.0, 0.4, 1.2):
        t = float(d.activation(torch.tensor(v, dtype=torch.float64)))
        numeric = float(np.max(t * u - F[name](u)))
        closed = float(d.conjugate_of_v(torch.tensor(v, dtype=torch.float64)))
        assert closed == pytest.approx(numeric, abs=2e-5), (name, v)
        assert float(d.conjugate(torch.tensor(t, dtype=torch.float64))) == pytest.approx(closed, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", sorted(F))
def test_threshold_is_f_prime_at_one(name: str) -> None:
    assert get(name).threshold == pytest.approx(F_PRIME[name](1.0), abs=1e-12)


@pytest.mark.parametrize("name", sorted(F))
def test_bound_is_tight_at_the_optimal_critic(name: str) -> None:
    """E_P[T*] - E_Q[f*(T*)] with T* = f'(p/q) equals D_f(P || Q) computed by the metric's quadrature."""
    mix = as_mixture([0.4, 0.6], [-1.0, 1.5], [0.6, 0.9])
    mu, sigma = 0.5, 1.4
    x = np.linspace(-12, 12, 200_001)
    p = sum(w * np.exp(-0.5 * ((x - m) / s) ** 2) / (s * math.sqrt(2 * math.pi)) for w, m, s in zip(*mix))
    q = np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    t_star = torch.tensor(F_PRIME[name](p / q), dtype=torch.float64)
    conj = get(name).conjugate(t_star).numpy()
    bound = np.trapezoid(p * t_star.numpy() - q * conj, x)
    assert bound == pytest.approx(divergence(mix, mu, sigma, name), abs=1e-5)


def test_lambert_w_matches_scipy_and_has_its_gradient() -> None:
    a = torch.linspace(-20, 40, 601, dtype=torch.float64, requires_grad=True)
    w = lambert_w_exp(a)
    ref = np.real(lambertw(np.exp(a.detach().numpy())))
    assert np.allclose(w.detach().numpy(), ref, rtol=1e-12)
    w.sum().backward()
    assert a.grad is not None and np.allclose(a.grad.numpy(), ref / (1 + ref), rtol=1e-9)


@pytest.mark.parametrize("name", sorted(F))
def test_conjugates_stay_finite_on_extreme_outputs(name: str) -> None:
    v = torch.tensor([-30.0, -5.0, 0.0, 5.0, 30.0])
    d = get(name)
    assert torch.isfinite(d.activation(v)).all()
    if name not in ("kl", "squared_hellinger"):  # exp(v - 1) and e^v - 1 overflow only past v ~ 88
        assert torch.isfinite(d.conjugate_of_v(v)).all()
    assert torch.isfinite(d.conjugate_of_v(v.clamp(-10, 10))).all()
