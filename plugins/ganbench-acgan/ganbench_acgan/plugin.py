"""ganbench plugin module: announces AC-GAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench_layers.base import HYPERPARAMETERS as BASE_HYPERPARAMETERS

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import ACGAN

# Odena et al. 2017 (Adam 2e-4, beta1 0.5; aux loss weight 1) on DCGAN-style conv nets; see README.
DEFAULTS = {
    "loss": "nonsaturating",
    "z_dim": 100,
    "g_ch": 64,
    "d_ch": 64,
    "d_norm": "batch",
    "aux_weight": 1.0,
    "lr": 2e-4,
    "beta1": 0.5,
    "beta2": 0.999,
    "n_dis": 1,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="acgan",
            build=ACGAN,
            version=__version__,
            description="AC-GAN: class-conditional G, D with an auxiliary classifier head trained on real and fake",
            paper="Odena, Olah & Shlens, Conditional Image Synthesis with Auxiliary Classifier GANs, ICML 2017",
            capabilities=Capabilities(data_kinds=("image",), conditional=True, packing=True, min_resolution=8),
            defaults=DEFAULTS,
            hyperparameters=BASE_HYPERPARAMETERS,  # what the shared AdversarialModel reads
        )
    ]
