"""Synthetic data for the checks: small, deterministic, with structure an untrained generator does not have."""

from __future__ import annotations

import math

import torch


def ring_data(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The PacGAN ring of 8 Gaussians (radius 1, std 0.01) and each sample's mode."""
    from ganbench.data.gaussians import ring_centers, sample_mixture

    return sample_mixture(ring_centers(8, 1.0), 0.01, n, seed)


def vector_data(n: int, dim: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The ring for 2-D data; for other widths, 8 Gaussian clusters on the axes of ``dim`` space."""
    if dim == 2:
        return ring_data(n, seed)
    g = torch.Generator().manual_seed(seed)
    centers = torch.zeros(8, dim)
    for i in range(8):
        centers[i, i % dim] = 1.0 if i < dim or i % 2 == 0 else -1.0
    idx = torch.randint(8, (n,), generator=g)
    return centers[idx] + 0.05 * torch.randn(n, dim, generator=g), idx


SEQUENCE_VOCAB = 12
SEQUENCE_LENGTH = 8
MARKOV_STAY = 0.85


def markov_next(tokens: torch.Tensor, vocab: int) -> torch.Tensor:
    """The likely successor of each token in :func:`sequence_data`'s chain."""
    return (3 * tokens + 1) % vocab


def sequence_data(n: int, length: int, vocab: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Token sequences from a known Markov chain: the first token uniform, then with probability
    0.85 the successor ``(3t + 1) mod vocab``, else a uniform token. An untrained generator's
    samples are near uniform, far less likely under the chain (:func:`markov_nll`). Labels: the
    first token."""
    g = torch.Generator().manual_seed(seed)
    x = torch.empty(n, length, dtype=torch.long)
    x[:, 0] = torch.randint(vocab, (n,), generator=g)
    for t in range(1, length):
        stay = torch.rand(n, generator=g) < MARKOV_STAY
        x[:, t] = torch.where(stay, markov_next(x[:, t - 1], vocab), torch.randint(vocab, (n,), generator=g))
    return x, x[:, 0].clone()


def markov_nll(x: torch.Tensor, vocab: int) -> float:
    """Mean per-token negative log-likelihood of sequences under :func:`sequence_data`'s chain."""
    x = x.long().cpu()
    nll = torch.full(x.shape, math.log(vocab), dtype=torch.float64)
    hit = x[:, 1:] == markov_next(x[:, :-1], vocab)
    p_hit, p_miss = MARKOV_STAY + (1 - MARKOV_STAY) / vocab, (1 - MARKOV_STAY) / vocab
    nll[:, 1:] = torch.where(hit, -math.log(p_hit), -math.log(p_miss))
    return float(nll.mean())


def image_data(n: int, shape: tuple[int, ...], seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Dark images with one bright square in one of 4 quadrants (the label), values in [-1, 1]."""
    c, h, w = shape
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(4, (n,), generator=g)
    x = torch.full((n, c, h, w), -1.0)
    hh, hw = max(h // 2, 1), max(w // 2, 1)
    for q in range(4):
        sel = idx == q
        top, left = (q // 2) * hh, (q % 2) * hw
        x[sel, :, top + hh // 4 : top + hh - hh // 4, left + hw // 4 : left + hw - hw // 4] = 1.0
    x = (x + 0.1 * torch.randn(x.shape, generator=g)).clamp(-1, 1)
    return x, idx


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, projections: int = 64, seed: int = 0) -> float:
    """Sliced 1-Wasserstein distance between two equal-size sample sets (flattened), a cheap
    moment-free distance that any improvement of the generator shows up in."""
    a = a.detach().reshape(a.shape[0], -1).double().cpu()
    b = b.detach().reshape(b.shape[0], -1).double().cpu()
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    g = torch.Generator().manual_seed(seed)
    dirs = torch.randn(a.shape[1], projections, generator=g, dtype=torch.float64)
    dirs /= dirs.norm(dim=0, keepdim=True)
    pa, _ = (a @ dirs).sort(dim=0)
    pb, _ = (b @ dirs).sort(dim=0)
    return float((pa - pb).abs().mean())
