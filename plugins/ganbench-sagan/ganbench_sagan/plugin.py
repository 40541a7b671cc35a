"""ganbench plugin module: announces the SAGAN-style model through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench_layers.base import HYPERPARAMETERS as BASE_HYPERPARAMETERS

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import SAGAN

# Zhang et al. 2019 (TTUR lr_g 1e-4 / lr_d 4e-4, beta (0, 0.9), 1:1 updates, hinge, SN in G and D)
# on the SNGAN CIFAR-10 ResNets with attention at 16x16, as StudioGAN's 32x32 SAGAN; see README.
DEFAULTS = {
    "loss": "hinge",
    "z_dim": 128,
    "g_ch": 256,
    "d_ch": 128,
    "attn_res": 16,
    "lr_g": 1e-4,
    "lr_d": 4e-4,
    "beta1": 0.0,
    "beta2": 0.9,
    "n_dis": 1,
    # StudioGAN's SAGAN (config.py g_init/d_init "ortho"), as SAGAN's own code (orthogonal init)
    "init": "ortho",
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="sagan",
            build=SAGAN,
            version=__version__,
            description="SAGAN-style: self-attention at 16x16 in ResNet G and D, spectral norm in both, hinge, TTUR",
            paper="Zhang, Goodfellow, Metaxas & Odena, Self-Attention Generative Adversarial Networks, ICML 2019",
            capabilities=Capabilities(data_kinds=("image",), conditional=False, packing=True, min_resolution=8, max_resolution=128),
            defaults=DEFAULTS,
            hyperparameters=BASE_HYPERPARAMETERS,  # what the shared AdversarialModel reads
        )
    ]
