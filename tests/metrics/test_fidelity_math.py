"""IS, FID, KID, precision/recall and density/coverage against closed forms and brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import torch

from ganbench.metrics.fidelity import (
    FidelityInputError,
    check_images,
    feature_stats,
    fid_from_features,
    fid_from_stats,
    inception_score,
    kid,
    to_uint8,
)
from ganbench.metrics.prdc import density_coverage, prdc, precision_recall


def gaussian(n: int, d: int, seed: int, mean: float | np.ndarray = 0.0, scale: np.ndarray | None = None) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, d))
    if scale is not None:
        z = z @ scale
    return torch.from_numpy(z + mean)


def fid_closed_form(mu1, s1, mu2, s2) -> float:
    """The Fréchet distance with scipy's sqrtm, computed independently of torch-fidelity."""
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    covmean = covmean.real
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def test_fid_equals_closed_form_on_gaussian_features():
    d = 16
    rng = np.random.default_rng(3)
    a = gaussian(4000, d, 1, scale=rng.standard_normal((d, d)) * 0.5)
    b = gaussian(4000, d, 2, mean=0.3, scale=rng.standard_normal((d, d)) * 0.4)
    mu1, s1 = np.mean(a.numpy(), 0), np.cov(a.numpy(), rowvar=False)
    mu2, s2 = np.mean(b.numpy(), 0), np.cov(b.numpy(), rowvar=False)
    assert fid_from_features(a, b) == pytest.approx(fid_closed_form(mu1, s1, mu2, s2), rel=1e-8)


def test_fid_of_diagonal_gaussians_matches_formula():
    # N(mu1, diag(a)) vs N(mu2, diag(b)): FID = |mu1-mu2|^2 + sum (sqrt a - sqrt b)^2
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    mu1, mu2 = np.zeros(3), np.array([1.0, 2.0, 0.0])
    expected = 5.0 + float(np.sum((np.sqrt(a) - np.sqrt(b)) ** 2))
    assert fid_from_stats(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-12)


def test_fid_self_is_zero_and_mean_shift_adds_its_square():
    x = gaussian(3000, 32, 5)
    assert abs(fid_from_features(x, x)) < 1e-8
    shifts = [0.25, 0.5, 1.0, 2.0]
    fids = [fid_from_features(x, x + s) for s in shifts]
    assert all(f1 < f2 for f1, f2 in zip(fids, fids[1:]))
    for s, f in zip(shifts, fids):  # same covariance: exactly ||delta||^2 = 32 s^2
        assert f == pytest.approx(32 * s * s, rel=1e-6)


def test_fid_statistics_are_float64():
    mu, sigma = feature_stats(torch.randn(100, 8, dtype=torch.float32))
    assert mu.dtype == np.float64 and sigma.dtype == np.float64


def test_inception_score_bounds():
    n, k = 20_000, 10
    constant = torch.zeros(n, k)
    constant[:, 3] = 50.0
    assert inception_score(constant, 10)[0] == pytest.approx(1.0, abs=1e-9)
    confident = torch.full((n, k), -50.0)
    confident[torch.arange(n), torch.arange(n) % k] = 50.0  # confident, uniform over classes
    mean, std = inception_score(confident, 10)
    assert mean == pytest.approx(k, rel=1e-2)  # shuffled splits of 2000: each is nearly balanced
    assert inception_score(confident, 1)[0] == pytest.approx(k, rel=1e-9)


def test_kid_unbiased_near_zero_for_same_distribution_and_positive_for_shift():
    a, b = gaussian(2000, 64, 1), gaussian(2000, 64, 2)
    same, same_std = kid(a, b, subsets=50, subset_size=500)
    assert abs(same) < 3 * same_std + 1e-4
    # the biased (V-statistic) MMD of the same pair is clearly positive; KID is not
    shifted, _ = kid(a, gaussian(2000, 64, 3, mean=0.5), subsets=50, subset_size=500)
    assert shifted > 10 * abs(same) and shifted > 0


def test_precision_recall_identical_and_disjoint():
    x = gaussian(500, 8, 1).float()
    assert precision_recall(x, x.clone()) == (1.0, 1.0)
    far = x + 1000.0
    assert precision_recall(x, far) == (0.0, 0.0)
    # half the generated samples on the real data, half far away: precision 1/2, recall stays high
    half = torch.cat([x[:250], x[250:] + 1000.0])
    p, r = precision_recall(x, half)
    assert p == pytest.approx(0.5, abs=1e-9)
    assert r < 1.0


def brute_density_coverage(real: np.ndarray, fake: np.ndarray, k: int) -> tuple[float, float]:
    rr = np.linalg.norm(real[:, None] - real[None], axis=-1)
    radii = np.sort(rr, axis=1)[:, k]
    fr = np.linalg.norm(fake[:, None] - real[None], axis=-1)
    inside = fr <= radii[None]
    return inside.sum() / (k * len(fake)), inside.any(axis=0).mean()


def test_density_coverage_match_brute_force_and_limits():
    real, fake = gaussian(300, 5, 1), gaussian(200, 5, 2, mean=0.3)
    d, c = density_coverage(real, fake, 5)
    bd, bc = brute_density_coverage(real.numpy(), fake.numpy(), 5)
    assert d == pytest.approx(bd, rel=1e-12) and c == pytest.approx(bc, rel=1e-12)
    assert density_coverage(real, real + 1000.0, 5) == (0.0, 0.0)
    assert density_coverage(real, real.clone(), 5)[1] == 1.0
    all4 = prdc(real.float(), fake.float())
    assert 0 < all4.precision <= 1 and 0 < all4.coverage <= 1


def test_prdc_needs_more_than_k_samples():
    with pytest.raises(ValueError, match="more than k=3"):
        precision_recall(torch.randn(3, 4), torch.randn(10, 4))


def test_uint8_conversion_and_bad_input():
    x = torch.tensor([-1.0, 0.0, 1.0, 0.5]).reshape(1, 1, 2, 2)
    assert to_uint8(x, 1, "x").flatten().tolist() == [0, 128, 255, 191]
    assert to_uint8(x, 3, "x").shape == (1, 3, 2, 2)  # grey -> RGB for Inception
    with pytest.raises(FidelityInputError, match="2 channels, the extractor takes 3"):
        to_uint8(torch.zeros(1, 2, 4, 4), 3, "generated samples")
    with pytest.raises(FidelityInputError, match="NaN"):
        check_images(torch.full((2, 1, 4, 4), math.nan), "generated samples")
    with pytest.raises(FidelityInputError, match=r"must be in \[-1, 1\]"):
        check_images(torch.full((2, 1, 4, 4), 1.5), "generated samples")
    with pytest.raises(FidelityInputError, match="expected an"):
        check_images(torch.zeros(4, 4), "generated samples")
