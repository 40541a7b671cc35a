"""Precision/recall/density/coverage, FID and KID against independent implementations on the same
features: Naeem et al.'s ``prdc`` (the authors' code), clean-fid and torchmetrics. Small feature
sets, so the whole file runs in a few seconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from ganbench.metrics import prdc as ours
from ganbench.metrics.fidelity import fid_from_features, kid
from tests.oracles import need


@pytest.fixture(scope="module")
def prdc_ref():
    """Naeem et al.'s code, for the tests that compare with it (a module-level importorskip would
    also have skipped the pin, clean-fid and torchmetrics tests, which do not use it)."""
    return need("prdc")


def _clusters(n: int, centers: np.ndarray, seed: int, spread: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    which = rng.integers(0, len(centers), n)
    return (centers[which] + spread * rng.standard_normal((n, centers.shape[1]))).astype(np.float32)


def test_partial_coverage_is_high_precision_low_recall(prdc_ref):
    """A generator that produces only one of the data's four clusters is *precise* (its samples
    look real) but has low *recall* (three quarters of the data are never generated). With the
    argument order swapped (real first, as torch-fidelity did before its fix), the two trade
    places. Expected values from ``prdc`` on the same features."""
    centers = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], dtype=np.float32)
    real = _clusters(800, centers, seed=1)
    fake = _clusters(400, centers[:1], seed=2)
    p, r = ours.precision_recall(torch.from_numpy(real), torch.from_numpy(fake), k=3)
    assert p > 0.9 and r < 0.35, (p, r)
    ref = prdc_ref.compute_prdc(real, fake, nearest_k=3)
    assert p == pytest.approx(ref["precision"], abs=0.01)
    assert r == pytest.approx(ref["recall"], abs=0.01)


def test_torch_fidelity_pin_excludes_versions_without_the_order():
    """0.3.0 has no precision/recall module at all; the pin admits only the audited release."""
    from packaging.requirements import Requirement

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    deps = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]["dependencies"]
    req = next(Requirement(d) for d in deps if d.startswith("torch-fidelity"))
    assert "0.4.0" in req.specifier
    assert "0.3.0" not in req.specifier and "0.5.0" not in req.specifier


def test_density_coverage_tie_is_outside_as_in_the_reference(prdc_ref):
    """Hand-made tie: real points 0, 1, 2, 3 on a line (k = 1: every radius is 1) and fake points at
    4 (exactly radius 1 from the real point 3), 10 and 20. Strictly inside (Naeem's ``<``): no fake
    is in any ball, density 0 and coverage 0. With ``<=``, the fake at 4 would count (1/3, 1/4)."""
    real = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
    fake = torch.tensor([[4.0], [10.0], [20.0]])
    d, c = ours.density_coverage(real, fake, k=1)
    assert (d, c) == (0.0, 0.0)
    ref = prdc_ref.compute_prdc(real.numpy(), fake.numpy(), nearest_k=1)
    assert (d, c) == (ref["density"], ref["coverage"])


def test_density_coverage_match_prdc_on_quantised_features(prdc_ref):
    """Integer-valued features (many distance ties) and continuous ones: identical to ``prdc``."""
    rng = np.random.default_rng(3)
    for real, fake in (
        (rng.integers(0, 3, (300, 4)).astype(np.float32), rng.integers(0, 3, (200, 4)).astype(np.float32)),
        (rng.standard_normal((300, 6)).astype(np.float32), (rng.standard_normal((200, 6)) * 1.2).astype(np.float32)),
    ):
        d, c = ours.density_coverage(torch.from_numpy(real), torch.from_numpy(fake), k=5)
        ref = prdc_ref.compute_prdc(real, fake, nearest_k=5)
        assert d == pytest.approx(ref["density"], abs=1e-9)
        assert c == pytest.approx(ref["coverage"], abs=1e-9)


def test_precision_recall_match_prdc_without_ties(prdc_ref):
    """On continuous features (no ties, where the ``<=`` of Kynkäänniemi's code and the ``<`` of
    ``prdc`` agree) precision and recall equal the reference's."""
    rng = np.random.default_rng(4)
    real = rng.standard_normal((400, 5)).astype(np.float32)
    fake = (rng.standard_normal((300, 5)) * 0.7 + 0.4).astype(np.float32)
    p, r = ours.precision_recall(torch.from_numpy(real), torch.from_numpy(fake), k=3)
    ref = prdc_ref.compute_prdc(real, fake, nearest_k=3)
    assert p == pytest.approx(ref["precision"], abs=1e-6)  # torch-fidelity returns float32 shares
    assert r == pytest.approx(ref["recall"], abs=1e-6)


def _features(seed: int = 0, n: int = 250, d: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    real = torch.randn(n, d, generator=g, dtype=torch.float64)
    fake = torch.randn(n, d, generator=g, dtype=torch.float64) * 1.3 + 0.2
    return real, fake


def test_fid_kid_match_clean_fid():
    cleanfid = need("cleanfid.fid")
    real, fake = _features()
    r, f = real.numpy(), fake.numpy()
    ref_fid = cleanfid.frechet_distance(r.mean(0), np.cov(r, rowvar=False), f.mean(0), np.cov(f, rowvar=False))
    assert fid_from_features(real, fake) == pytest.approx(ref_fid, rel=1e-6)
    # one subset of all n rows on both sides: every random subset is a permutation, so the
    # estimate is the full unbiased MMD² in both implementations
    assert kid(real, fake, 1, real.shape[0])[0] == pytest.approx(cleanfid.kernel_distance(f, r, 1, r.shape[0]), rel=1e-9)


def test_fid_kid_match_torchmetrics():
    need("torchmetrics")
    from torchmetrics.image.fid import FrechetInceptionDistance
    from torchmetrics.image.kid import KernelInceptionDistance

    class Identity(nn.Module):
        def __init__(self, d: int) -> None:
            super().__init__()
            self.num_features = d

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x

    real, fake = _features(seed=1)
    fid_tm = FrechetInceptionDistance(feature=Identity(real.shape[1]))
    fid_tm.set_dtype(torch.float64)
    fid_tm.update(real, real=True)
    fid_tm.update(fake, real=False)
    assert fid_from_features(real, fake) == pytest.approx(float(fid_tm.compute()), rel=1e-6)
    with pytest.warns(UserWarning):  # torchmetrics warns that KID buffers every feature
        kid_tm = KernelInceptionDistance(feature=Identity(real.shape[1]), subsets=1, subset_size=real.shape[0])
    kid_tm.update(real, real=True)
    kid_tm.update(fake, real=False)
    assert kid(real, fake, 1, real.shape[0])[0] == pytest.approx(float(kid_tm.compute()[0]), rel=1e-9)
