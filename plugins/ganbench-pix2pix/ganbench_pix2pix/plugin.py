"""ganbench plugin module: announces pix2pix through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .model import Pix2Pix

# junyanz/pytorch-CycleGAN-and-pix2pix (pix2pix_model.py, networks.py, train_options.py), scaled
# to 32x32 (num_downs 5, PatchGAN n_layers 2); see README.md.
DEFAULTS = {
    "ngf": 64,
    "ndf": 64,
    "num_downs": 5,
    "n_layers_d": 2,
    "dropout": True,
    "lambda_l1": 100.0,
    "lr": 2e-4,
    "beta1": 0.5,
    "beta2": 0.999,
    "init_gain": 0.02,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="pix2pix",
            build=Pix2Pix,
            version=__version__,
            description="pix2pix: paired translation, U-Net G, conditional PatchGAN D, GAN + 100 x L1",
            paper="Isola, Zhu, Zhou, Efros, Image-to-Image Translation with Conditional Adversarial Networks, CVPR 2017",
            capabilities=Capabilities(data_kinds=("image",), packing=False, min_resolution=32, max_resolution=32,
                                      task="translate", paired=True, domains=2),
            defaults=DEFAULTS,
        )
    ]
