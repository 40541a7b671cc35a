"""MoG mode metrics against hand-computed cases and scipy's KL."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import entropy

from ganbench.data.gaussians import grid_centers, ring_centers, sample_mixture
from ganbench.metrics.modes import kl_to_uniform, score_mixture


def test_all_samples_on_one_mode():
    c = ring_centers()
    s = score_mixture(c[3].repeat(500, 1), c, 0.01)
    assert s.modes_covered == 1
    assert s.hq_share == 1.0
    assert s.reverse_kl == pytest.approx(math.log(8))


def test_samples_exactly_on_all_centres():
    c = grid_centers()
    s = score_mixture(c.repeat(4, 1), c, 0.05)
    assert s.modes_covered == 25
    assert s.hq_share == 1.0
    assert s.reverse_kl == pytest.approx(0.0, abs=1e-12)


def test_far_away_samples_score_nothing():
    c = ring_centers()
    s = score_mixture(torch.full((100, 2), 50.0), c, 0.01)
    assert s.modes_covered == 0 and s.hq_share == 0.0
    assert s.reverse_kl == pytest.approx(math.log(8))


def test_three_std_boundary():
    c = torch.tensor([[0.0, 0.0]])
    inside = score_mixture(torch.tensor([[0.0299, 0.0]]), c, 0.01)
    outside = score_mixture(torch.tensor([[0.0301, 0.0]]), c, 0.01)
    assert inside.hq_share == 1.0 and outside.hq_share == 0.0


def test_true_data_covers_all_modes_with_high_quality():
    for centers, std in ((ring_centers(), 0.01), (grid_centers(), 0.05)):
        x, _ = sample_mixture(centers, std, 2500, seed=1)
        s = score_mixture(x, centers, std)
        assert s.modes_covered == len(centers)
        # P(|N(0, I2)| < 3) = 1 - exp(-4.5) ≈ 0.989
        assert s.hq_share == pytest.approx(1 - math.exp(-4.5), abs=0.01)
        assert s.reverse_kl < 0.02


def test_kl_matches_scipy():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 50, size=25)
    assert kl_to_uniform(counts) == pytest.approx(entropy(counts / counts.sum(), np.full(25, 1 / 25)))


def test_half_the_ring():
    c = ring_centers()
    s = score_mixture(c[:4].repeat(10, 1), c, 0.01)
    assert s.modes_covered == 4
    assert s.reverse_kl == pytest.approx(math.log(2))


def test_dataset_geometry_matches_papers():
    ring = ring_centers()
    assert torch.allclose(ring.norm(dim=1), torch.ones(8, dtype=ring.dtype))
    grid = grid_centers()
    assert sorted(set(grid[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
