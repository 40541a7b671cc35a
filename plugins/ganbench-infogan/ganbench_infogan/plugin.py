"""ganbench plugin module: announces the InfoGAN model through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .model import InfoGAN

# Chen et al. 2016, appendix C.1 / Table 4 (MNIST) and openai/InfoGAN's run_mnist_exp.py; README.md.
DEFAULTS = {
    "z_dim": 62,
    "categories": 10,
    "continuous_codes": 2,
    "lambda_cat": 1.0,
    "lambda_cont": 1.0,
    "g_hidden": 1024,
    "g_ch": 128,
    "d_hidden": 1024,
    "d_ch": 64,
    "q_hidden": 128,
    "leak": 0.1,
    "lr_g": 1e-3,
    "lr_d": 2e-4,
    "beta1": 0.5,
    "beta2": 0.999,
    "d_batch": "joint",
}


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="infogan",
            build=InfoGAN,
            version=__version__,
            description="InfoGAN: noise + 1 categorical (10) + 2 continuous codes; Q shares D's body and "
                        "maximises the mutual-information lower bound",
            paper="Chen et al., InfoGAN: Interpretable Representation Learning by Information Maximizing "
                  "Generative Adversarial Nets, NeurIPS 2016",
            capabilities=Capabilities(data_kinds=("image",), conditional=False, packing=False,
                                      min_resolution=8, max_resolution=64),
            defaults=DEFAULTS,
        )
    ]
