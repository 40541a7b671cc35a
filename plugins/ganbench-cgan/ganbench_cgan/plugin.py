"""ganbench plugin module: announces the conditional GAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench_layers.base import HYPERPARAMETERS as BASE_HYPERPARAMETERS

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import CGAN

# Mirza & Osindero's conditioning on DCGAN-style conv nets and the DCGAN optimiser; see README.
DEFAULTS = {
    "loss": "nonsaturating",
    "z_dim": 100,
    "g_ch": 64,
    "d_ch": 64,
    "d_norm": "batch",
    "lr": 2e-4,
    "beta1": 0.5,
    "beta2": 0.999,
    "n_dis": 1,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="cgan",
            build=CGAN,
            version=__version__,
            description="Conditional GAN: one-hot label concatenated to z in G and as label planes to D's input",
            paper="Mirza & Osindero, Conditional Generative Adversarial Nets, arXiv:1411.1784, 2014",
            capabilities=Capabilities(data_kinds=("image",), conditional=True, packing=True, min_resolution=8),
            defaults=DEFAULTS,
            hyperparameters=BASE_HYPERPARAMETERS,  # what the shared AdversarialModel reads
        )
    ]
