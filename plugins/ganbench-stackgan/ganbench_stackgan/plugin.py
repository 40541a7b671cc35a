"""ganbench plugin module: the text-to-image models, the captioned MNIST dataset and caption fidelity."""

from __future__ import annotations

from ganbench.api import Capabilities, DatasetSpec, MetricSpec, ModelSpec, hookimpl

from . import __version__
from .dataset import SPEC as DATASET
from .dataset import TASK
from .fidelity import SPEC as METRIC
from .model import CaptionCGAN, StackGAN

CAPS = Capabilities(data_kinds=("image",), conditional=True, packing=False, min_resolution=60, max_resolution=60, task=TASK)
COMMON = {"z_dim": 100, "embed_dim": 128, "max_tokens": 20, "g_ch": 64, "d_ch": 64, "d_compress": 64, "lr": 2e-4, "beta1": 0.5}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="stackgan", build=StackGAN, version=__version__, capabilities=CAPS,
            defaults={**COMMON, "c_dim": 128, "kl_weight": 1.0, "stage1_fraction": 0.5},
            description="StackGAN: conditioning augmentation, Stage-I 30x30 layout, Stage-II 60x60 refinement "
                        "conditioned on the caption again; matching-aware D",
            paper="Zhang et al., StackGAN: Text to Photo-realistic Image Synthesis with Stacked Generative "
                  "Adversarial Networks, ICCV 2017",
        ),
        ModelSpec(
            name="caption-cgan", build=CaptionCGAN, version=__version__, capabilities=CAPS, defaults=COMMON,
            description="Baseline: one-stage conditional GAN on the caption embedding (concatenated to z and "
                        "replicated in D), no CA, no second stage",
            paper="Mirza & Osindero, Conditional GANs, 2014, conditioned on a caption embedding (Reed et al. 2016)",
        ),
    ]


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    return [DATASET]


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    return [METRIC]
