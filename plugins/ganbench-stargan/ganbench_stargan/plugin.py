"""ganbench plugin module: announces StarGAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .model import StarGAN

# yunjey/stargan main.py defaults; d_repeat_num 4 fits 32x32 (6 at 128 px); see README.md.
DEFAULTS = {
    "g_conv_dim": 64,
    "d_conv_dim": 64,
    "g_repeat_num": 6,
    "d_repeat_num": 4,
    "lambda_cls": 1.0,
    "lambda_rec": 10.0,
    "lambda_gp": 10.0,
    "n_critic": 5,
    "g_lr": 1e-4,
    "d_lr": 1e-4,
    "beta1": 0.5,
    "beta2": 0.999,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="stargan",
            build=StarGAN,
            version=__version__,
            description="StarGAN: one G conditioned on the target domain, WGAN-GP D with a domain classifier, reconstruction loss",
            paper=("Choi, Choi, Kim, Ha, Kim, Choo, StarGAN: Unified Generative Adversarial Networks for "
                   "Multi-Domain Image-to-Image Translation, CVPR 2018"),
            capabilities=Capabilities(data_kinds=("image",), packing=False, min_resolution=16, max_resolution=128,
                                      task="translate", paired=False, bidirectional=True, domains=None),
            defaults=DEFAULTS,
        )
    ]
