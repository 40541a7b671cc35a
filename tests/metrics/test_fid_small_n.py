"""FID with no more samples than feature dims: a number (the formula holds), labelled biased."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import linalg

from ganbench.api import MetricContext
from ganbench.metrics import fidelity


def test_fid_below_feature_dims_is_a_biased_number(stub_mnist, mnist_like, make_images, tmp_path):
    fake = make_images(100, 7, shift=0.05)  # 100 samples < 128 feature dims
    opts = dict(fid_n_real=400, prdc_n_real=300, kid_subset_size=50, kid_subsets=5)
    out = fidelity.compute_fidelity(MetricContext(mnist_like, fake, None, torch.device("cpu"), tmp_path, opts, final=True))
    fid = out["fid"]
    assert math.isfinite(fid.value) and fid.value > 0
    assert "undefined" not in fid.note
    assert "biased upward: 100 samples ≤ 128 feature dims" in fid.note
    # the value is the Fréchet distance of the (rank-deficient) Gaussians, by scipy's sqrtm
    ext = fidelity.choose_extractor(mnist_like, torch.device("cpu"), opts)
    f = ext.extract(fidelity.to_uint8(fake, 1, "x"))[0].double().numpy()
    with np.load(next((tmp_path / "refstats").glob("*.npz"))) as z:
        mu_r, s_r = z["mu"], z["sigma"]
    mu_g, s_g = f.mean(0), np.cov(f, rowvar=False)
    covmean = linalg.sqrtm(s_g @ s_r).real
    expected = float(((mu_g - mu_r) ** 2).sum() + np.trace(s_g + s_r - 2 * covmean))
    assert fid.value == pytest.approx(expected, rel=1e-4)


def test_fid_of_one_sample_is_undefined(stub_mnist, mnist_like, make_images, tmp_path):
    opts = dict(fid_n_real=400, prdc_n_real=300)
    out = fidelity.compute_fidelity(MetricContext(mnist_like, make_images(1, 3), None, torch.device("cpu"), tmp_path, opts, final=True))
    assert math.isnan(out["fid"].value) and out["fid"].note.startswith("undefined: a covariance needs 2 samples")
