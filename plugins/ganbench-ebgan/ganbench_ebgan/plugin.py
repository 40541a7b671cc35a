"""ganbench plugin module: announces EBGAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .model import EBGAN

# The paper's best MNIST EBGAN-PT of the grid search (Sec. 4.1, Fig. 4); sources in README.md.
DEFAULTS = {
    "z_dim": 100,
    "g_layers": 5,
    "g_hidden": 800,
    "d_layers": 2,
    "d_hidden": 1024,
    "d_code": 1024,
    "code_act": "relu",
    "energy": "l2",
    "margin": 10.0,
    "pt_weight": 0.1,
    "lr": 1e-3,
    "beta1": 0.9,
    "beta2": 0.999,
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="ebgan",
            build=EBGAN,
            version=__version__,
            description="EBGAN-PT: auto-encoder D (energy = reconstruction error), hinge margin loss, pulling-away "
                        "term on D's codes (pt_weight 0 = plain EBGAN); MLPs of the paper's MNIST grid",
            paper="Zhao, Mathieu, LeCun, Energy-based Generative Adversarial Network, ICLR 2017",
            capabilities=Capabilities(data_kinds=("vector", "image"), conditional=False, packing=False),
            defaults=DEFAULTS,
        )
    ]
