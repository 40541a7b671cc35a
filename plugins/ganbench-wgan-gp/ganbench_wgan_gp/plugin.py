"""ganbench plugin module: announces WGAN-GP through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench_layers.base import HYPERPARAMETERS as BASE_HYPERPARAMETERS

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import WGANGP

# Gulrajani et al. 2017, Algorithm 1 (lambda 10, n_critic 5, Adam 1e-4, beta (0, 0.9)).
DEFAULTS = {
    "loss": "wasserstein",
    "arch": "dcgan",
    "z_dim": 128,
    "g_ch": 64,
    "d_ch": 64,
    "d_norm": "layer",
    "gp_lambda": 10.0,
    "lr": 1e-4,
    "beta1": 0.0,
    "beta2": 0.9,
    "n_dis": 5,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="wgan-gp",
            build=WGANGP,
            version=__version__,
            description="WGAN-GP: Wasserstein critic with gradient penalty (lambda 10) on interpolates; DCGAN or ResNet nets",
            paper="Gulrajani et al., Improved Training of Wasserstein GANs, NeurIPS 2017",
            capabilities=Capabilities(data_kinds=("image",), conditional=False, packing=True, min_resolution=8),
            defaults=DEFAULTS,
            hyperparameters=BASE_HYPERPARAMETERS,  # what the shared AdversarialModel reads
        )
    ]
