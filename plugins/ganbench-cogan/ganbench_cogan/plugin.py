"""ganbench plugin module: announces CoGAN and its conditional-GAN baseline; their metadata and
defaults (with their sources) are data, in models.yaml beside this file."""

from __future__ import annotations

from ganbench_layers.spec import zoo_models_from

from . import __version__
from .model import CoGAN, ConditionalGAN

ganbench_models = zoo_models_from(__package__, builds={"cogan": CoGAN, "cogan-cgan": ConditionalGAN},
                                  version=__version__)
DEFAULTS = {spec.name: spec for spec in ganbench_models()}["cogan-cgan"].defaults
"""The defaults both models share (the tests build with them)."""
