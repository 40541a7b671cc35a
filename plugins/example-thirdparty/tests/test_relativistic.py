"""The example plugin's own tests: the ganbench conformance kit on both models, plus its
dataset and metric. Run with ``pytest`` after ``pip install -e .``."""

from __future__ import annotations

import pytest
import torch
from ganbench_example_relativistic import moons, swd
from ganbench_example_relativistic.model import relativistic_losses

from ganbench.api import DatasetRequest, MetricContext
from ganbench.testing import ModelConformance


class TestRSGANConformance(ModelConformance):
    model = "rsgan"


class TestRaGANConformance(ModelConformance):
    model = "ragan"


@pytest.mark.parametrize("variant", ["rsgan", "ragan"])
def test_losses_reward_realistic_reals(variant):
    # a critic that scores reals above fakes: D's loss is small, G's is large; and vice versa
    hi, lo = torch.full((8, 1), 3.0), torch.full((8, 1), -3.0)
    d_good, g_bad = relativistic_losses(hi, lo, variant)
    d_bad, g_good = relativistic_losses(lo, hi, variant)
    assert d_good < d_bad and g_good < g_bad


def test_moons_dataset_and_swd_metric():
    ds = moons.load_moons(DatasetRequest(params={"n_samples": 2000}, root=None, device=torch.device("cpu")))
    assert ds.sample_shape == (2,) and len(ds) == 2000
    assert swd.applies(ds)
    ctx = lambda x: MetricContext(dataset=ds, samples=x, labels=None, device=torch.device("cpu"), cache_dir=None)  # noqa: E731
    real_like = moons.make_moons(1000, 0.05, seed=1)[0]
    noise = torch.randn(1000, 2) * 2
    assert swd.compute(ctx(real_like))["swd"].value < swd.compute(ctx(noise))["swd"].value
    with pytest.raises(ValueError, match="two-moons"):
        moons.load_moons(DatasetRequest(params={"n_sample": 5}, root=None, device=torch.device("cpu")))
