"""Optional model capabilities around the latent space (plugin API 1.x, additive).

Every model samples; some families can do more, and are measured by it:

* :class:`Encoding` -- inference GANs (BiGAN/ALI, VEEGAN) learn an encoder ``E: x -> z`` beside
  ``G: z -> x``. ``encode(x)`` and ``generate(z)`` let the ``encoder`` metric score the
  reconstruction x -> E(x) -> G(E(x)) and a linear probe on E(x).
* :class:`StructuredCodes` -- InfoGAN-style models split the latent input into named codes
  (categorical or continuous) beside the noise. ``sample_codes`` fixes some codes and draws the
  rest, ``infer_codes`` is the auxiliary network Q's estimate of the codes of an image; the
  ``latent-codes`` metric scores how well a categorical code captures the data's classes.

A model opts in by having the methods: nothing in :class:`~ganbench.api.Capabilities` changes and
an API 1.0 model is unaffected. The harness hands the model to every metric
(``MetricContext.model``); the metrics above check for the capability with :func:`can_encode` /
:func:`has_codes` and return nothing for a model without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import torch

CODE_KINDS = ("categorical", "continuous")


@dataclass(frozen=True)
class LatentCode:
    """One named latent code. ``categorical``: ``size`` categories, uniform prior, passed and
    returned as integer indices ``(N,)``. ``continuous``: one scalar per sample, uniform prior on
    ``[low, high]``, passed as floats ``(N,)``."""

    name: str
    kind: str
    size: int = 1
    low: float = -1.0
    high: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in CODE_KINDS:
            raise ValueError(f"latent code {self.name!r}: kind must be one of {CODE_KINDS}, got {self.kind!r}")
        if self.kind == "categorical" and self.size < 2:
            raise ValueError(f"latent code {self.name!r}: a categorical code needs at least 2 categories")


@runtime_checkable
class Encoding(Protocol):
    """A model with an encoder. ``encode(x)`` maps ``(N, *data_shape)`` samples to latents
    ``(N, z_dim)`` (deterministic: the mean for a stochastic encoder); ``generate(z)`` maps
    latents to samples exactly as ``sample`` does with drawn latents (eval mode, images in [-1, 1])."""

    def encode(self, x: torch.Tensor) -> torch.Tensor: ...

    def generate(self, z: torch.Tensor) -> torch.Tensor: ...


@runtime_checkable
class StructuredCodes(Protocol):
    """A model whose latent input holds named codes (InfoGAN). ``latent_codes`` lists them.

    ``sample_codes(n, codes, generator=g)``: ``n`` samples with the codes in ``codes`` fixed
    (name -> tensor of ``n`` values) and everything else (noise, the other codes) drawn from the
    prior with ``g``. ``infer_codes(x)``: the model's estimate of each code of ``x``: logits
    ``(N, size)`` for a categorical code, the mean ``(N,)`` for a continuous one.
    """

    latent_codes: tuple[LatentCode, ...]

    def sample_codes(self, n: int, codes: Mapping[str, torch.Tensor], *,
                     generator: torch.Generator | None = None) -> torch.Tensor: ...

    def infer_codes(self, x: torch.Tensor) -> Mapping[str, torch.Tensor]: ...


def can_encode(model: Any) -> bool:
    """The model has ``encode`` and ``generate`` (an inference GAN)."""
    return model is not None and callable(getattr(model, "encode", None)) and callable(getattr(model, "generate", None))


def has_codes(model: Any) -> bool:
    """The model declares ``latent_codes`` and can sample with them fixed (InfoGAN)."""
    codes = getattr(model, "latent_codes", None)
    return (model is not None and isinstance(codes, (tuple, list)) and len(codes) > 0
            and all(isinstance(c, LatentCode) for c in codes) and callable(getattr(model, "sample_codes", None)))


__all__ = ["CODE_KINDS", "Encoding", "LatentCode", "StructuredCodes", "can_encode", "has_codes"]
