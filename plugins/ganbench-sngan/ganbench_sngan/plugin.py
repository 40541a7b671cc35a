"""ganbench plugin module: announces SNGAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench_layers.base import HYPERPARAMETERS as BASE_HYPERPARAMETERS

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import SNGAN

# Miyato et al. 2018 CIFAR-10 ResNet setting as in Mimicry's SNGAN baseline (see README).
DEFAULTS = {
    "loss": "hinge",
    "z_dim": 128,
    "g_ch": 256,
    "d_ch": 128,
    "g_sn": False,
    "lr": 2e-4,
    "beta1": 0.0,
    "beta2": 0.9,
    "n_dis": 5,
    # Mimicry's SNGAN baseline decays both learning rates linearly to 0 over its 100k steps
    # (lr_decay="linear"); here over the run's budget, whatever it is (ctx.progress), unless
    # lr_decay_steps pins it to a length of its own (suites/zoo-sanity.yaml: Mimicry's 100k)
    "lr_decay": "linear",
    # Mimicry's SNGAN initialises xavier-uniform (gain sqrt 2 in the residual convs, 1 elsewhere);
    # PyTorch's default init made seed 1 of suites/zoo-sanity.yaml collapse to one digit by step 25
    "init": "xavier",
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="sngan",
            build=SNGAN,
            version=__version__,
            description="SNGAN: spectral-normalised ResNet D, ResNet G, hinge loss, n_dis 5",
            paper="Miyato et al., Spectral Normalization for Generative Adversarial Networks, ICLR 2018",
            capabilities=Capabilities(data_kinds=("image",), conditional=False, packing=True, min_resolution=8, max_resolution=128),
            defaults=DEFAULTS,
            hyperparameters=BASE_HYPERPARAMETERS,  # what the shared AdversarialModel reads
        )
    ]
