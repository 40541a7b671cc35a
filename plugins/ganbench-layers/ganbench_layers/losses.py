"""Adversarial losses by name, each as a (D loss, G loss) pair over D's raw outputs (logits)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


class GANLoss(NamedTuple):
    d: Callable[[Tensor, Tensor], Tensor]
    """``d(real_logits, fake_logits)`` -> scalar the discriminator minimises."""
    g: Callable[[Tensor], Tensor]
    """``g(fake_logits)`` -> scalar the generator minimises."""


def _ns_d(r: Tensor, f: Tensor) -> Tensor:
    # -[log D(x) + log(1 - D(G(z)))] written with logits for numerical stability
    return F.softplus(-r).mean() + F.softplus(f).mean()


def _ns_g(f: Tensor) -> Tensor:
    return F.softplus(-f).mean()


def _hinge_d(r: Tensor, f: Tensor) -> Tensor:
    return F.relu(1.0 - r).mean() + F.relu(1.0 + f).mean()


def _hinge_g(f: Tensor) -> Tensor:
    return -f.mean()


def _ls_d(r: Tensor, f: Tensor) -> Tensor:
    # LSGAN (Mao et al. 2017), a-b-c coding 0-1-1: real target 1, fake target 0
    return 0.5 * ((r - 1.0) ** 2).mean() + 0.5 * (f**2).mean()


def _ls_g(f: Tensor) -> Tensor:
    return 0.5 * ((f - 1.0) ** 2).mean()


def _w_d(r: Tensor, f: Tensor) -> Tensor:
    # the critic maximises E[f(x)] - E[f(G(z))]
    return f.mean() - r.mean()


def _w_g(f: Tensor) -> Tensor:
    return -f.mean()


LOSSES: dict[str, GANLoss] = {
    "nonsaturating": GANLoss(_ns_d, _ns_g),
    "hinge": GANLoss(_hinge_d, _hinge_g),
    "least_squares": GANLoss(_ls_d, _ls_g),
    "wasserstein": GANLoss(_w_d, _w_g),
}


def get_loss(name: str) -> GANLoss:
    """The named loss, or a one-line error listing the choices."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"hparam loss must be one of {sorted(LOSSES)}, got {name!r}") from None
