"""ganbench plugin module: announces the Unrolled GAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .model import UnrolledGAN

# poolio/unrolled_gan (the authors' notebook for the 2-D mixture) and Metz et al. 2017; README.md.
DEFAULTS = {
    "unroll_steps": 5,
    "second_order": True,
    "loss": "minimax",
    "z_dim": 256,
    "hidden": 128,
    "layers": 2,
    "activation": "tanh",
    "init_gain": 1.4,
    "g_ch": 64,
    "d_ch": 64,
    "lr_g": 1e-3,
    "lr_d": 1e-4,
    "beta1": 0.5,
    "beta2": 0.999,
    "eps": 1e-8,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="unrolled",
            build=UnrolledGAN,
            version=__version__,
            description="Unrolled GAN: G's loss at D after unroll_steps differentiable Adam steps; MLP (MoG) or conv (images)",
            paper="Metz, Poole, Pfau, Sohl-Dickstein, Unrolled Generative Adversarial Networks, ICLR 2017",
            capabilities=Capabilities(data_kinds=("vector", "image"), conditional=False, packing=True,
                                      min_resolution=8, max_resolution=64),
            defaults=DEFAULTS,
            hyperparameters={"arch": "mlp (default on vector data) or conv (default on images)"},
        )
    ]
