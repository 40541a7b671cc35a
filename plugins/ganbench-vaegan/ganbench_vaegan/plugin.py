"""ganbench plugin module: announces VAE-GAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .model import VAEGAN

# The authors' code (andersbll/autoencoding_beyond_pixels: aegan.py, model/aegan.py); README.md.
DEFAULTS = {
    "z_dim": 128,
    "ch": 64,
    "fc": 512,
    "e_fc": 1024,
    "recon_vs_gan_weight": 5e-5,
    "real_vs_gen_weight": 0.5,
    "gan_margin": 0.35,
    "equilibrium": 0.68,
    "lr": 3e-4,
    "weight_decay": 1e-5,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="vaegan",
            build=VAEGAN,
            version=__version__,
            description="VAE-GAN: VAE encoder, decoder = generator, reconstruction error in the discriminator's "
                        "feature space; encode/generate (Encoding capability)",
            paper="Larsen, Sønderby, Larochelle, Winther, Autoencoding beyond pixels using a learned similarity "
                  "metric, ICML 2016",
            capabilities=Capabilities(data_kinds=("image",), conditional=False, packing=False, min_resolution=8,
                                      max_resolution=64),
            defaults=DEFAULTS,
        )
    ]
