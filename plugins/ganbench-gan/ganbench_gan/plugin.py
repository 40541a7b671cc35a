"""ganbench plugin module: announces the GAN model through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec
from ganbench.contract.hookspecs import hookimpl

from . import __version__
from .model import GAN
from .replicas import build_replicas

# PacGAN's 2-D mixture setting (Lin et al. 2018, Sec. 5.1 / appendix), see README.md.
DEFAULTS = {
    "loss": "nonsaturating",
    "z_dim": 2,
    "g_hidden": 400,
    "g_layers": 4,
    "g_batch_norm": True,
    "d_hidden": 200,
    "d_layers": 3,
    "maxout_pieces": 5,
    "lr": 1e-4,
    "beta1": 0.8,
    "beta2": 0.999,
    "d_steps": 1,
    "update": "simultaneous",  # PacGAN's (ALI's) update: both gradients from one forward pass
    "init": "pacgan",  # N(0, 0.02²) weights, zero biases, BN momentum 0.05 / eps 1e-4 (README: audit)
    "init_std": 0.02,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="gan",
            build=GAN,
            version=__version__,
            description="Original GAN: MLP generator (BN+ReLU), maxout discriminator; minimax or non-saturating G loss",
            paper="Goodfellow et al., Generative Adversarial Nets, NeurIPS 2014",
            capabilities=Capabilities(data_kinds=("vector",), conditional=False, packing=True, compile_safe=True),
            defaults=DEFAULTS,
            hyperparameters={"lr_g": "G's learning rate (default: lr)", "lr_d": "D's learning rate (default: lr)",
                             "lr_decay": "constant (default) or linear decay of both learning rates to 0 over the budget"},
            build_replicas=build_replicas,
        )
    ]
