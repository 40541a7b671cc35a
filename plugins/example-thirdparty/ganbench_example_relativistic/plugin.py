"""The plugin module (entry point ``relativistic``): two models, a dataset and a metric."""

from __future__ import annotations

from functools import partial

from ganbench.api import Capabilities, DatasetSpec, MetricSpec, ModelSpec, hookimpl

from . import __version__, moons, swd
from .model import RelativisticGAN

PAPER = "Jolicoeur-Martineau, The relativistic discriminator: a key element missing from standard GAN, ICLR 2019"
DEFAULTS = {
    "z_dim": 2,
    "g_hidden": 128,
    "g_layers": 3,
    "d_hidden": 128,
    "d_layers": 3,
    "lr": 2e-4,
    "beta1": 0.5,
    "beta2": 0.999,
    "d_steps": 1,
}
# Every hyper-parameter build reads is declared (API 1.4): DEFAULTS' keys, plus these two whose
# default is `lr`. A suite setting any other name is refused, naming the model and these names.
HYPERPARAMETERS = {"lr_g": "G's learning rate (default: lr)", "lr_d": "D's learning rate (default: lr)"}
CAPS = Capabilities(data_kinds=("vector",), conditional=False, packing=True)


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="rsgan",
            build=partial(RelativisticGAN, variant="rsgan"),
            version=__version__,
            description="Relativistic standard GAN: D judges whether real is more realistic than fake, pairwise",
            paper=PAPER,
            capabilities=CAPS,
            defaults=DEFAULTS,
            hyperparameters=HYPERPARAMETERS,
            api_version="1.4",
        ),
        ModelSpec(
            name="ragan",
            build=partial(RelativisticGAN, variant="ragan"),
            version=__version__,
            description="Relativistic average GAN: each sample judged against the other batch's mean critic",
            paper=PAPER,
            capabilities=CAPS,
            defaults=DEFAULTS,
            hyperparameters=HYPERPARAMETERS,
            api_version="1.4",
        ),
    ]


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    return [
        DatasetSpec(
            name="two-moons",
            kind="vector",
            load=moons.load_moons,
            description="Two interleaved half-moons in 2-D, noise 0.05 (no discrete modes)",
            defaults=moons.DEFAULTS,
            default_metrics=("sliced-wasserstein",),
            api_version="1.4",
        )
    ]


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    return [
        MetricSpec(
            name="sliced-wasserstein",
            compute=swd.compute,
            applies_to=swd.applies,
            description="Sliced Wasserstein-1 distance between generated and real samples (128 projections)",
            api_version="1.4",
        )
    ]
