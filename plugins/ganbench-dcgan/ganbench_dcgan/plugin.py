"""ganbench plugin module: announces the DCGAN model through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import DCGAN

# Radford et al. 2016 (Sec. 4) and PacGAN's stacked-MNIST setting; see README.md.
DEFAULTS = {
    "z_dim": 100,
    "g_base_channels": 64,
    "d_base_channels": 64,
    "d_width_factor": 1.0,
    "lr": 2e-4,
    "beta1": 0.5,
    "beta2": 0.999,
    "d_steps": 1,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="dcgan",
            build=DCGAN,
            version=__version__,
            description="DCGAN: strided (transposed) convolutions, BatchNorm, ReLU/Tanh G, LeakyReLU D; 28/32/64 px, 1 or 3 channels",
            paper="Radford, Metz, Chintala, Unsupervised Representation Learning with DCGANs, ICLR 2016",
            capabilities=Capabilities(data_kinds=("image",), conditional=False, packing=True, min_resolution=28, max_resolution=64),
            defaults=DEFAULTS,
            hyperparameters={
                "lr": "Adam learning rate of G and D (default 2e-4)",
                "lr_g": "G's learning rate (default: lr)",
                "lr_d": "D's learning rate (default: lr)",
                "arch": "network family: compact (default), carpedm20 or unrolled (the Unrolled-GAN paper's nets)",
                "z_dist": "latent distribution: normal (default) or uniform",
                "d_steps": "D updates per G update (default 1)",
                "g_steps": "G updates per training step (default 1)",
                "reuse_z": "G's steps reuse D's latent batch (needs d_steps 1; default false)",
                "g_per_slot": "with packing, G runs once per pack slot (default false)",
                "d_width_factor": "multiplies D's base channel count (default 1.0)",
            },
        )
    ]
