"""ganbench plugin module: announces CycleGAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .model import CycleGAN

# junyanz/pytorch-CycleGAN-and-pix2pix (cycle_gan_model.py, networks.py, train_options.py);
# n_blocks 6 is the reference's choice below 256 px, n_layers_d 2 fits 32x32; see README.md.
DEFAULTS = {
    "ngf": 64,
    "ndf": 64,
    "n_blocks": 6,
    "n_layers_d": 2,
    "lambda_a": 10.0,
    "lambda_b": 10.0,
    "lambda_identity": 0.5,
    "pool_size": 50,
    "lr": 2e-4,
    "beta1": 0.5,
    "beta2": 0.999,
    "init_gain": 0.02,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="cyclegan",
            build=CycleGAN,
            version=__version__,
            description="CycleGAN: unpaired translation both ways, ResNet Gs, PatchGAN Ds, LSGAN + cycle + identity",
            paper="Zhu, Park, Isola, Efros, Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks, ICCV 2017",
            capabilities=Capabilities(data_kinds=("image",), packing=False, min_resolution=28, max_resolution=32,
                                      task="translate", paired=False, bidirectional=True, domains=2),
            defaults=DEFAULTS,
        )
    ]
