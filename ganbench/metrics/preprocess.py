"""One input path for every classifier-based metric (IS/FID/KID/PR/DC and the mode counts).

Generated images are floats in [-1, 1]; real images are stored as uint8. Every classifier-based
metric therefore sees generated samples the way real ones are stored, and the way torch-fidelity
feeds its extractors: quantised to uint8 (round half up), then, for ganbench's own CNNs, mapped back
to [-1, 1] with the same ``u8 / 127.5 - 1`` the datasets use. Scoring raw floats in one metric and
quantised ones in another would let two metrics disagree about the same sample.
"""

from __future__ import annotations

import torch


def quantise(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] floats → uint8 [0, 255], as a saved PNG would hold them (values outside are clamped)."""
    return ((x.float() + 1) * 127.5).add_(0.5).clamp_(0, 255).to(torch.uint8)


def dequantise(u8: torch.Tensor) -> torch.Tensor:
    """uint8 [0, 255] → float32 [-1, 1], the scale the datasets (and the evaluators) use."""
    if u8.dtype != torch.uint8:
        raise ValueError(f"expected uint8 images, got {u8.dtype}")
    return u8.float().div(127.5).sub(1.0)


def classifier_input(x: torch.Tensor) -> torch.Tensor:
    """What a ganbench classifier is given for generated images ``x``: ``dequantise(quantise(x))``."""
    return dequantise(quantise(x))
