"""Weight initialisation as the reference implementations do it, selected by the ``init`` hparam.

PyTorch's default (Kaiming-uniform with a = sqrt 5) is nobody's reference: it makes un-normalised
weights about 2.4x smaller than Mimicry's xavier init, so a G without spectral norm starts with
near-constant grey output that a D separates from MNIST within a few steps. The zoo's plugins name
the scheme of the code they follow (their README audit tables):

* ``xavier``: Mimicry (SNGAN, WGAN-GP ResNets): xavier-uniform, gain sqrt 2 for the 3x3 convs
  inside residual blocks (``c1``, ``c2``), gain 1 for everything else (shortcuts, linear layers,
  the output conv).
* ``ortho``: BigGAN-PyTorch and StudioGAN (``init_weights(..., 'ortho')``): orthogonal weights for
  every conv, linear and embedding layer.
* ``N02``: N(0, 0.02), DCGAN's and StudioGAN's ``N02``.
* ``default``: leave PyTorch's initialisation.

Biases are zeroed except under ``default``. Spectrally normalised layers are re-normalised after
their weight is replaced (the power-iteration vectors are recomputed for the new weight), so
``sigma`` is right from the first step.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

INITS = ("default", "xavier", "ortho", "N02")
_BLOCK_CONVS = ("c1", "c2")


def _has_spectral_norm(m: nn.Module) -> bool:
    return parametrize.is_parametrized(m, "weight") and any(
        type(p).__name__ == "_SpectralNorm" for p in m.parametrizations["weight"]
    )


@torch.no_grad()
def _fill(w: torch.Tensor, kind: str, gain: float) -> None:
    if kind == "xavier":
        nn.init.xavier_uniform_(w, gain)
    elif kind == "ortho":
        nn.init.orthogonal_(w)
    else:  # N02
        nn.init.normal_(w, 0.0, 0.02)


def initialise(net: nn.Module, kind: str) -> nn.Module:
    """Re-initialise every conv, linear and embedding layer of ``net`` by ``kind`` (in place)."""
    if kind not in INITS:
        raise ValueError(f"hparam init must be one of {list(INITS)}, got {kind!r}")
    if kind == "default":
        return net
    for name, m in net.named_modules():
        if not isinstance(m, (nn.Conv2d, nn.Linear, nn.Embedding)):
            continue
        gain = math.sqrt(2.0) if name.rsplit(".", 1)[-1] in _BLOCK_CONVS else 1.0
        sn = _has_spectral_norm(m)
        if sn:
            parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
        _fill(m.weight, kind, gain)
        if getattr(m, "bias", None) is not None:
            nn.init.zeros_(m.bias)
        if sn:
            spectral_norm(m)
    return net
