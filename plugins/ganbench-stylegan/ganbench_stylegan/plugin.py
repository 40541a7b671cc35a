"""ganbench plugin module: announces the StyleGAN-style model through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench_layers.base import HYPERPARAMETERS as BASE_HYPERPARAMETERS

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import StyleGAN

# StyleGAN/StyleGAN2 structure shrunk for 32x32 (StyleGAN2-ADA's CIFAR config: 4x4 constant,
# beta (0, 0.99), R1 gamma 0.01, mixing 0.9 -> here mapping depth 4, width 128); see README.
DEFAULTS = {
    "loss": "nonsaturating",
    "z_dim": 128,
    "w_dim": 128,
    "map_layers": 4,
    "map_lr_mult": 0.01,
    "g_ch": 128,
    "d_ch": 128,
    "style_mixing": 0.9,
    "r1_gamma": 0.01,
    "mbstd_group": 32,
    "lr": 0.0025,
    "beta1": 0.0,
    "beta2": 0.99,
    "n_dis": 1,
    # StyleGAN2-ADA's CIFAR config (train.py cfg_specs["cifar"]: ema 500 kimg, ramp 0.05): G_ema
    # with beta = 0.5 ** (batch / min(500k, 0.05 * images seen)); samples come from G_ema
    "ema": True,
    "ema_kind": "half-life",
    "ema_half_life_kimg": 500.0,
    "ema_rampup": 0.05,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="stylegan",
            build=StyleGAN,
            version=__version__,
            description="StyleGAN-style (small): mapping net, learned constant, noise inputs, modulated convs, "
            "style mixing; ResNet D, R1",
            paper="Karras, Laine & Aila, A Style-Based Generator Architecture for GANs, CVPR 2019 (+ StyleGAN2, CVPR 2020)",
            capabilities=Capabilities(data_kinds=("image",), conditional=False, packing=True, min_resolution=8, max_resolution=128),
            defaults=DEFAULTS,
            hyperparameters=BASE_HYPERPARAMETERS,  # what the shared AdversarialModel reads
        )
    ]
