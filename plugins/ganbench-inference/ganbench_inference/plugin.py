"""ganbench plugin module: announces BiGAN, ALI and VEEGAN through the ``ganbench_models`` hook."""

from __future__ import annotations

from ganbench.api import Capabilities, ModelSpec, hookimpl

from . import __version__
from .model import ali, bigan, veegan

# BiGAN's permutation-invariant MNIST setting (Donahue et al. 2017, Sec. 4.2); README.md.
COMMON = {
    "z_dim": 50,
    "g_hidden": 1024,
    "e_hidden": 1024,
    "d_hidden": 1024,
    "layers": 2,
    "batch_norm": True,
    "dropout": 0.2,
    "lr": 2e-4,
    "beta1": 0.5,
    "beta2": 0.999,
}
TTUR = {"lr_g": "learning rate of G and E (default: lr)", "lr_d": "D's learning rate (default: lr)"}
CAPS = Capabilities(data_kinds=("vector", "image"), conditional=False, packing=False)


@hookimpl
def ganbench_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name="bigan", build=bigan, version=__version__, capabilities=CAPS,
            defaults={**COMMON, "z_dist": "uniform"}, hyperparameters=TTUR,
            description="BiGAN: deterministic encoder E trained with G to fool a joint D(x, z); z ~ U(-1, 1)",
            paper="Donahue, Kraehenbuehl, Darrell, Adversarial Feature Learning, ICLR 2017",
        ),
        ModelSpec(
            name="ali", build=ali, version=__version__, capabilities=CAPS,
            defaults={**COMMON, "z_dist": "normal"}, hyperparameters=TTUR,
            description="ALI: Gaussian (reparameterised) encoder trained with G to fool a joint D(x, z); z ~ N(0, I)",
            paper="Dumoulin et al., Adversarially Learned Inference, ICLR 2017",
        ),
        ModelSpec(
            name="veegan", build=veegan, version=__version__, capabilities=CAPS,
            defaults={**COMMON, "z_dist": "normal", "rec_weight": 1.0}, hyperparameters=TTUR,
            description="VEEGAN: reconstructor F: x -> z; G and F minimise D's logit on (z, G(z)) plus ||z - F(G(z))||^2",
            paper="Srivastava, Valkov, Russell, Gutmann, Sutton, VEEGAN: Reducing Mode Collapse in GANs using "
                  "Implicit Variational Learning, NeurIPS 2017",
        ),
    ]
