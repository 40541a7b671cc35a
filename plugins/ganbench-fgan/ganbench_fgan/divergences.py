"""The f-divergences of f-GAN (Nowozin et al. 2016, Table 2): output activation and conjugate.

D's raw output v is mapped into the domain of the conjugate f* by the output activation
``g_f``; the variational objective is ``F = E_P[g_f(V(x))] - E_Q[f*(g_f(V(x)))]``, maximised by
D (a lower bound on D_f(P || Q)) and minimised by G. ``conjugate_of_v`` gives ``f*(g_f(v))``
in a closed form that never evaluates ``log`` or ``exp`` of an out-of-domain value (reverse KL's
``-1 - log(-t)`` at ``t = -exp(-v)`` is ``v - 1``), which is what keeps training finite.

Jeffrey's conjugate needs Lambert's W (f*(t) = W(e^{1-t}) + 1/W(e^{1-t}) + t - 2): it is solved
in log space (w + log w = 1 - t) by Newton's method, with the gradient of the exact root.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

Tensor = torch.Tensor
LN2 = math.log(2.0)


@dataclass(frozen=True)
class Divergence:
    """One row of the paper's Table 2. ``threshold`` is f'(1): where the activation's output
    separates "real" from "fake" (the variational function's value when P = Q)."""

    name: str
    title: str
    activation: Callable[[Tensor], Tensor]
    conjugate_of_v: Callable[[Tensor], Tensor]
    conjugate: Callable[[Tensor], Tensor]
    threshold: float


def lambert_w_exp(a: Tensor, iterations: int = 12) -> Tensor:
    """W(exp(a)) for any real ``a``: the root w > 0 of ``w + log w = a``. Newton from a start
    that is within a factor of the root everywhere; the last step carries the gradient
    dW/da = w / (1 + w)."""
    with torch.no_grad():
        w = torch.where(a > 1.0, a - torch.log(a.clamp_min(1.0)), torch.exp(a.clamp(max=1.0)))
        for _ in range(iterations):
            w = (w - (w + torch.log(w) - a) / (1.0 + 1.0 / w)).clamp_min(1e-300)
    return w - (w + torch.log(w) - a) / (1.0 + 1.0 / w)  # one differentiable Newton step at the root


def _jeffrey_conjugate(t: Tensor) -> Tensor:
    w = lambert_w_exp(1.0 - t)
    return w + 1.0 / w + t - 2.0


DIVERGENCES: dict[str, Divergence] = {
    d.name: d
    for d in (
        Divergence("kl", "Kullback-Leibler", lambda v: v, lambda v: torch.exp(v - 1.0),
                   lambda t: torch.exp(t - 1.0), 1.0),
        Divergence("reverse_kl", "reverse Kullback-Leibler", lambda v: -torch.exp(-v), lambda v: v - 1.0,
                   lambda t: -1.0 - torch.log(-t), -1.0),
        Divergence("pearson", "Pearson chi-squared", lambda v: v, lambda v: 0.25 * v * v + v,
                   lambda t: 0.25 * t * t + t, 0.0),
        Divergence("squared_hellinger", "squared Hellinger", lambda v: 1.0 - torch.exp(-v), lambda v: torch.expm1(v),
                   lambda t: t / (1.0 - t), 0.0),
        Divergence("js", "Jensen-Shannon", lambda v: LN2 - F.softplus(-v), lambda v: F.softplus(v) - LN2,
                   lambda t: -torch.log(2.0 - torch.exp(t)), 0.0),
        Divergence("gan", "GAN (2 JS - log 4)", lambda v: -F.softplus(-v), lambda v: F.softplus(v),
                   lambda t: -torch.log(1.0 - torch.exp(t)), -LN2),
        Divergence("jeffrey", "Jeffrey", lambda v: v, _jeffrey_conjugate, _jeffrey_conjugate, 0.0),
    )
}
"""The paper's Table 2 (and Jeffrey, which its synthetic Table 3 uses), by name."""


def get(name: str) -> Divergence:
    if name not in DIVERGENCES:
        raise ValueError(f"hparam divergence must be one of {', '.join(DIVERGENCES)}, got {name!r}")
    return DIVERGENCES[name]
