"""ganbench plugin module: announces the BigGAN-style model and its truncation-sweep metric."""

from __future__ import annotations

from ganbench_layers.base import HYPERPARAMETERS as BASE_HYPERPARAMETERS

from ganbench.api import Capabilities, MetricSpec, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import BigGAN
from .sweep import METRIC

# BigGAN-PyTorch's CIFAR-10 script (G/D width 256, n_D 4, lr 2e-4 both, beta (0, 0.999), hinge,
# shared embedding 128, hierarchical z 128) with the paper's orthogonal regularisation 1e-4; see README.
DEFAULTS = {
    "loss": "hinge",
    "z_dim": 128,
    "g_ch": 256,
    "d_ch": 256,
    "shared_dim": 128,
    "hierarchical_z": True,
    "attn_res": None,
    "ortho_reg": 1e-4,
    "truncation": None,
    "lr": 2e-4,
    "beta1": 0.0,
    "beta2": 0.999,
    "n_dis": 4,
    # StudioGAN's BigGAN (src/configs/CIFAR10/BigGAN.yaml: apply_g_ema, g_ema_decay 0.9999,
    # g_ema_start 1000) samples from an EMA of G; so does BigGAN-PyTorch (--ema --use_ema)
    "ema": True,
    "ema_decay": 0.9999,
    "ema_start": 1000,
    # BigGAN-PyTorch (--G_init ortho --D_init ortho) and StudioGAN (g_init/d_init "ortho")
    "init": "ortho",
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="biggan",
            build=BigGAN,
            version=__version__,
            description="BigGAN-style (small): shared-embedding conditional BN, hierarchical z, projection D, "
            "SN, hinge, orthogonal reg., truncation at sampling",
            paper="Brock, Donahue & Simonyan, Large Scale GAN Training for High Fidelity Natural Image Synthesis, ICLR 2019",
            capabilities=Capabilities(data_kinds=("image",), conditional=True, packing=True, min_resolution=8, max_resolution=128),
            defaults=DEFAULTS,
            hyperparameters=BASE_HYPERPARAMETERS,  # what the shared AdversarialModel reads
        )
    ]


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    return [METRIC]
