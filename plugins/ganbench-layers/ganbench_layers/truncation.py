"""The truncation trick: latents from a normal truncated at +-psi, out-of-range values resampled."""

from __future__ import annotations

import torch


def truncated_normal(
    shape: tuple[int, ...],
    psi: float | None,
    *,
    device: torch.device | str = "cpu",
    generator: torch.Generator | None = None,
    max_rounds: int = 1000,
) -> torch.Tensor:
    """N(0, I) samples with every entry in (-psi, psi), by resampling (Brock et al. 2019, Sec. 3.1).

    ``psi`` None or <= 0 means no truncation. Resampling (rather than clamping) keeps the shape of
    the distribution inside the interval; smaller psi trades diversity for fidelity.
    """
    z = torch.randn(shape, device=device, generator=generator)
    if psi is None or psi <= 0:
        return z
    for _ in range(max_rounds):
        bad = z.abs() >= psi
        n = int(bad.sum())
        if n == 0:
            return z
        z[bad] = torch.randn(n, device=device, generator=generator)
    return z.clamp_(-psi, psi)  # only reached for absurdly small psi
