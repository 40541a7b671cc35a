"""ganbench plugin module: announces LSGAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench_layers.base import HYPERPARAMETERS as BASE_HYPERPARAMETERS

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import LSGAN

# DCGAN architecture and optimiser (Radford et al. 2016), as StudioGAN's LSGAN CIFAR-10 baseline; see README.
DEFAULTS = {
    "loss": "least_squares",
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
            name="lsgan",
            build=LSGAN,
            version=__version__,
            description="LSGAN: least-squares D and G losses (0-1-1 coding) on DCGAN-style conv G/D",
            paper="Mao et al., Least Squares Generative Adversarial Networks, ICCV 2017",
            capabilities=Capabilities(data_kinds=("image",), conditional=False, packing=True, min_resolution=8),
            defaults=DEFAULTS,
            hyperparameters=BASE_HYPERPARAMETERS,  # what the shared AdversarialModel reads
        )
    ]
