"""ganbench plugin module: announces f-GAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .divergences import DIVERGENCES
from .model import FGAN

# Every "auto" follows the architecture (model.ARCH_DEFAULTS; README.md says where each comes from).
DEFAULTS = {
    "divergence": "kl",
    "arch": "auto",
    "g_loss": "auto",
    "update": "simultaneous",
    "optimizer": "auto",
    "lr": "auto",
    "lr_g": "auto",  # auto: = lr
    "lr_d": "auto",
    "beta1": "auto",
    "beta2": 0.999,
    "z_dim": "auto",
    "noise": "auto",
    "g_hidden": "auto",
    "g_layers": "auto",
    "d_hidden": "auto",
    "d_layers": "auto",
    "maxout_pieces": 5,  # mlp: PacGAN's maxout D
    "init_std": 0.02,  # mlp: PacGAN's N(0, 0.02^2) weights
    "mu_init": 0.0,  # affine: the sampler starts at N(0, 1)
    "sigma_init": 1.0,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="fgan",
            build=FGAN,
            version=__version__,
            description="f-GAN: variational divergence minimisation; hparam divergence = " + " | ".join(DIVERGENCES),
            paper="Nowozin, Cseke, Tomioka, f-GAN: Training Generative Neural Samplers using Variational "
                  "Divergence Minimization, NeurIPS 2016",
            capabilities=Capabilities(data_kinds=("vector", "image"), conditional=False, packing=True),
            defaults=DEFAULTS,
        )
    ]
