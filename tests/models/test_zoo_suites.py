"""suites/mnist.yaml and suites/cifar.yaml name only models and metrics that exist and expand to
the matrix the issue asks for."""

from __future__ import annotations

import pytest

from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import load_suite


def test_mnist_suite_covers_the_zoo_with_several_seeds(repo, registry) -> None:
    suite = load_suite(repo / "suites/mnist.yaml")
    models = {m.model for m in suite.models}
    assert {"lsgan", "wgan", "wgan-gp", "sngan", "sagan", "stylegan", "cgan", "acgan", "biggan"} <= models
    assert len(suite.seed_list) >= 3 and set(suite.metrics) == {"fidelity", "mnist-modes"}
    runs = build_matrix(suite, registry, "suites/mnist.yaml")
    assert len(runs) == len(suite.models) * len(suite.seed_list)
    assert all(r.dataset == "mnist" for r in runs)


def test_cifar_suite_is_the_standard_protocol(repo, registry) -> None:
    suite = load_suite(repo / "suites/cifar.yaml")
    assert [m.model for m in suite.models] == ["dcgan", "wgan-gp", "sngan", "sagan", "biggan", "stylegan"]
    assert suite.eval.n_samples == 50_000 and suite.eval.options["fid_n_real"] == 50_000
    assert suite.budget.steps == 100_000 and suite.batch_size == 64 and len(suite.seed_list) == 3
    runs = build_matrix(suite, registry, "suites/cifar.yaml")
    by_model = {r.model: r for r in runs}
    assert by_model["dcgan"].budget.steps == 200_000
    assert by_model["sngan"].hparams["n_dis"] == 5 and by_model["wgan-gp"].hparams["arch"] == "resnet"


@pytest.mark.parametrize("suite", ["mnist", "cifar"])
def test_zoo_suite_models_accept_the_dataset_shape(repo, registry, suite: str) -> None:
    """Every model of the suite builds for the suite's image shape (with tiny widths)."""
    import torch

    from ganbench.api import BuildContext

    s = load_suite(repo / f"suites/{suite}.yaml")
    shape = (1, 28, 28) if suite == "mnist" else (3, 32, 32)
    for entry in s.models:
        spec = registry.model(entry.model)
        hp = {**spec.defaults, **entry.hparams}
        for k in ("g_ch", "d_ch", "g_base_channels", "d_base_channels"):
            if k in hp:
                hp[k] = 8
        ctx = BuildContext(shape, "image", 10, 1, torch.device("cpu"), 0, 4, hp)
        model = spec.build(ctx)
        x = model.sample(2, generator=torch.Generator().manual_seed(0))
        assert tuple(x.shape) == (2, *shape), entry.model
