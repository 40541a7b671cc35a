"""Regularisers: WGAN-GP gradient penalty, R1, orthogonal regularisation, weight clipping."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

from ganbench.api import pack


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    m: int = 1,
    *,
    eps: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """E[(||grad_x critic(x_hat)||_2 - 1)^2] on random interpolates (Gulrajani et al. 2017).

    Interpolates are drawn per sample, then packed by ``m``; the norm is taken over each packed
    critic input, i.e. over what the critic actually sees. ``eps`` (one per sample) may be given
    for tests; otherwise it is drawn uniformly from [0, 1).
    """
    if eps is None:
        eps = torch.rand(real.shape[0], device=real.device, generator=generator)
    eps = eps.view(-1, *([1] * (real.dim() - 1))).to(real.dtype)
    x_hat = pack(eps * real.detach() + (1 - eps) * fake.detach(), m).requires_grad_(True)
    out = critic(x_hat)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(2, dim=1) - 1.0) ** 2).mean()


def r1_penalty(critic: Callable[[torch.Tensor], torch.Tensor], real_packed: torch.Tensor) -> torch.Tensor:
    """E[||grad_x D(x)||^2] on real data (Mescheder et al. 2018), without the gamma/2 factor."""
    x = real_packed.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return grad.flatten(1).pow(2).sum(1).mean()


def orthogonal_regularisation(module: nn.Module, beta: float) -> torch.Tensor:
    """BigGAN's off-diagonal orthogonal regulariser beta * ||W W^T * (1 - I)||_F^2 summed over every
    weight matrix / conv kernel (flattened to (out, -1)); biases, gains and embeddings are left out."""
    total = torch.zeros((), device=next(module.parameters()).device)
    for name, p in module.named_parameters():
        if p.dim() < 2 or "embed" in name or "shared" in name:
            continue
        w = p.flatten(1)
        gram = w @ w.t()
        off = gram * (1.0 - torch.eye(gram.shape[0], device=gram.device, dtype=gram.dtype))
        total = total + off.pow(2).sum()
    return beta * total


@torch.no_grad()
def clip_weights(params: Iterable[nn.Parameter], c: float) -> None:
    """WGAN weight clipping: every critic parameter into [-c, c] (Arjovsky et al. 2017)."""
    for p in params:
        p.clamp_(-c, c)
