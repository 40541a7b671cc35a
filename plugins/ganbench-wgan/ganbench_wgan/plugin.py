"""ganbench plugin module: announces WGAN (weight clipping) through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench_layers.base import HYPERPARAMETERS as BASE_HYPERPARAMETERS

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import WGAN

# Arjovsky et al. 2017, Algorithm 1 defaults (alpha 5e-5, c 0.01, n_critic 5), DCGAN-style nets.
DEFAULTS = {
    "loss": "wasserstein",
    "z_dim": 100,
    "g_ch": 64,
    "d_ch": 64,
    "d_norm": "batch",
    "lr": 5e-5,
    "clip": 0.01,
    "n_dis": 5,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="wgan",
            build=WGAN,
            version=__version__,
            description="WGAN: Wasserstein critic (no sigmoid/log), weight clipping to [-c, c], RMSProp, n_critic 5",
            paper="Arjovsky, Chintala & Bottou, Wasserstein GAN, ICML 2017",
            capabilities=Capabilities(data_kinds=("image",), conditional=False, packing=True, min_resolution=8),
            defaults=DEFAULTS,
            hyperparameters=BASE_HYPERPARAMETERS,  # what the shared AdversarialModel reads
        )
    ]
