"""Precision/recall and density/coverage on extractor features.

* Improved precision and recall (Kynkäänniemi et al. 2019): the real (generated) manifold is the
  union of balls around each real (generated) feature reaching its k-th nearest neighbour, k = 3.
  Precision is the share of generated samples inside the real manifold, recall the share of real
  samples inside the generated one. Computed by torch-fidelity's ``prc_features_to_metric``.
* Density and coverage (Naeem et al. 2020), which torch-fidelity does not provide: with balls of
  radius NND_k around *real* samples only (k = 5, the paper's choice), density =
  (1 / kM) Σ_j #{real balls containing fake j} and coverage = share of real balls that contain at
  least one fake. Density is not bounded by 1; both are robust to real outliers.

Ties (a distance exactly equal to a radius; common with quantised or duplicated features) follow
each metric's reference code: inside a ball means ``distance < radius`` for density/coverage, as in
Naeem et al.'s ``prdc`` package (the test oracle, tests/metrics/test_prdc_reference.py), and
``distance <= radius`` for precision/recall, as in Kynkäänniemi et al.'s code and torch-fidelity.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

PR_K = 3
DC_K = 5
CHUNK = 4096


@dataclass(frozen=True)
class PRDC:
    precision: float
    recall: float
    density: float
    coverage: float


def _check(real: torch.Tensor, fake: torch.Tensor, k: int) -> None:
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"features must be (N, D) with equal D, got real {tuple(real.shape)} and fake {tuple(fake.shape)}")
    if min(real.shape[0], fake.shape[0]) <= k:
        raise ValueError(f"need more than k={k} samples on each side, got {real.shape[0]} real and {fake.shape[0]} fake")


def kth_neighbour_radii(x: torch.Tensor, k: int) -> torch.Tensor:
    """Distance of each row of ``x`` to its k-th nearest other row (the row itself excluded)."""
    out = []
    for i in range(0, x.shape[0], CHUNK):
        d = torch.cdist(x[i : i + CHUNK], x)
        out.append(d.kthvalue(k + 1, dim=1).values)
    return torch.cat(out)


def density_coverage(real: torch.Tensor, fake: torch.Tensor, k: int = DC_K) -> tuple[float, float]:
    """Naeem et al. 2020, in float64, chunked over generated samples; strictly inside (``<``),
    as the authors' ``prdc`` code counts."""
    _check(real, fake, k)
    real, fake = real.double(), fake.double()
    radii = kth_neighbour_radii(real, k)  # (N,)
    inside_count = torch.zeros(fake.shape[0], dtype=torch.float64, device=real.device)
    covered = torch.zeros(real.shape[0], dtype=torch.bool, device=real.device)
    for i in range(0, fake.shape[0], CHUNK):
        inside = torch.cdist(fake[i : i + CHUNK], real) < radii.unsqueeze(0)  # (m, N)
        inside_count[i : i + CHUNK] = inside.sum(dim=1).double()
        covered |= inside.any(dim=0)
    density = float(inside_count.sum() / (k * fake.shape[0]))
    coverage = float(covered.double().mean())
    return density, coverage


def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = PR_K) -> tuple[float, float]:
    """Kynkäänniemi et al. 2019 via torch-fidelity 0.4.0, whose ``prc_features_to_metric`` takes
    the generated features first and the real ones second (0.3.0 has no precision/recall; the
    order is pinned in pyproject.toml and tested with a generator that covers half the data)."""
    from torch_fidelity.metric_prc import prc_features_to_metric

    _check(real, fake, k)
    out = prc_features_to_metric(fake.float(), real.float(), prc_neighborhood=k, prc_batch_size=CHUNK,
                                 save_cpu_ram=True, verbose=False)
    return float(out["precision"]), float(out["recall"])


def prdc(real: torch.Tensor, fake: torch.Tensor, pr_k: int = PR_K, dc_k: int = DC_K) -> PRDC:
    """All four numbers on the same features."""
    p, r = precision_recall(real, fake, pr_k)
    d, c = density_coverage(real, fake, dc_k)
    return PRDC(p, r, d, c)
