"""Every zoo model through the ganbench conformance kit (ganbench.testing), one test per check.

Tiny widths and 3x16x16 images keep each check to about a second on a 2-core CPU; the same code
paths run at 32x32 with the default widths (the throughput numbers in the issue note).
"""

from __future__ import annotations

import pytest
import torch
from zoo_params import TINY, ZOO

from ganbench.testing import CHECKS, check_model

# `improves` trains 150 steps per model; the zoo's learning is tested on MNIST in test_zoo_specifics.
CHEAP_CHECKS = [c for c in CHECKS if c != "improves"]


@pytest.mark.parametrize("check", CHEAP_CHECKS)
@pytest.mark.parametrize("model", ZOO)
def test_zoo_model_conformance(model: str, check: str) -> None:
    report = check_model(model, checks=[check], hparams=TINY[model], batch_size=8, data_shape=(3, 16, 16))
    assert report.ok, report.failures


@pytest.mark.parametrize("model", ZOO)
@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32)])
def test_zoo_model_handles_benchmark_resolutions(registry, model: str, shape: tuple[int, int, int]) -> None:
    """MNIST is 28x28 (G starts at 7x7), CIFAR-10 32x32 (G starts at 4x4): both build, train, sample."""
    from ganbench.api import BuildContext

    spec = registry.model(model)
    ctx = BuildContext(shape, "image", 10 if spec.capabilities.conditional else None, 2, torch.device("cpu"), 0, 4,
                       {**spec.defaults, **TINY[model]})
    m = spec.build(ctx)
    n_real = m.d_steps_per_g_step * 4 * 2
    labels = torch.arange(n_real) % 10 if spec.capabilities.conditional else None
    losses = m.train_step(torch.rand(n_real, *shape) * 2 - 1, labels)
    assert all(torch.isfinite(torch.tensor(float(v))) for v in losses.values())
    x = m.sample(6, generator=torch.Generator().manual_seed(0))
    assert tuple(x.shape) == (6, *shape) and x.abs().max() <= 1.0


def test_zoo_refuses_unusable_data_with_one_line_errors(registry) -> None:
    from ganbench.api import BuildContext

    def ctx(shape, classes=None):
        return BuildContext(shape, "image", classes, 1, torch.device("cpu"), 0, 4, dict(TINY["cgan"]))

    with pytest.raises(ValueError, match="square images"):
        registry.model("lsgan").build(ctx((3, 16, 32)))
    with pytest.raises(ValueError, match="halved down"):
        registry.model("sngan").build(ctx((3, 18, 18)))
    with pytest.raises(ValueError, match="cgan is class-conditional and needs a labelled dataset"):
        registry.model("cgan").build(ctx((1, 28, 28), None))
    with pytest.raises(ValueError, match="hparam loss must be one of"):
        spec = registry.model("lsgan")
        spec.build(BuildContext((1, 16, 16), "image", None, 1, torch.device("cpu"), 0, 4, {**TINY["lsgan"], "loss": "l3"}))


def test_zoo_plugins_are_separate_distributions(registry) -> None:
    """Each model is discovered through its own distribution's entry point, like a third-party plugin."""
    owners = {m: registry.model_owner[m].distribution for m in ZOO}
    assert owners == {m: f"ganbench-zoo-{m}" for m in ZOO}
