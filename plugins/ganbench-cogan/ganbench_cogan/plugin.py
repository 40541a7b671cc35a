"""ganbench plugin module: announces CoGAN and its conditional-GAN baseline."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .model import CoGAN, ConditionalGAN

PAPER = "Liu & Tuzel, Coupled Generative Adversarial Networks, NeurIPS 2016"
# The authors' Caffe MNIST settings (README.md): Adam 2e-4 (0.5, 0.999), weight decay 5e-4, z U(-1, 1)^100
DEFAULTS = {"z_dim": 100, "lr": 2e-4, "beta1": 0.5, "beta2": 0.999, "weight_decay": 5e-4, "width": 1.0}
CAPS = Capabilities(data_kinds=("image",), conditional=False, packing=False, min_resolution=28, max_resolution=28)


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="cogan", build=CoGAN, version=__version__, paper=PAPER, capabilities=CAPS,
            description="Coupled GAN: two domains' G share their first layers, D their last; pairs without pair data",
            defaults={**DEFAULTS, "share": True},
        ),
        ModelSpec(
            name="cogan-cgan", build=ConditionalGAN, version=__version__, paper=PAPER, capabilities=CAPS,
            description="CoGAN's baseline: one conditional GAN told the domain by a binary input; pairs G(z, 0), G(z, 1)",
            defaults=DEFAULTS,
        ),
    ]
