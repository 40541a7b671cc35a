"""ganbench plugin module: announces ProGAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .model import ProGAN

# The authors' default configuration (tkarras/progressive_growing_of_gans: config.py, train.py,
# networks.py, loss.py); README.md names each source. Widths are the code's fmap_base/fmap_max.
DEFAULTS = {
    "z_dim": 512,
    "fmap_base": 8192,
    "fmap_max": 512,
    "mbstd_group": 4,
    "growing": True,
    "initial_resolution": 4,
    "lod_training_kimg": 600.0,
    "lod_transition_kimg": 600.0,
    "total_kimg": 12000.0,
    "lr": 1e-3,
    "beta1": 0.0,
    "beta2": 0.99,
    "gp_weight": 10.0,
    "drift": 0.001,
    "ema_decay": 0.999,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="progan",
            build=ProGAN,
            version=__version__,
            description="ProGAN: progressive growing with fade-in (schedule in kimg scaled to the budget), pixelnorm, "
                        "equalised lr, minibatch std, WGAN-GP + drift; samples from the EMA generator",
            paper="Karras, Aila, Laine, Lehtinen, Progressive Growing of GANs for Improved Quality, Stability, and "
                  "Variation, ICLR 2018",
            capabilities=Capabilities(data_kinds=("image",), conditional=False, packing=False, min_resolution=4,
                                      max_resolution=1024),
            defaults=DEFAULTS,
        )
    ]
