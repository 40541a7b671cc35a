"""Where a generator starts and how many 2x steps reach the target size."""

from __future__ import annotations


def resolution_plan(size: int) -> tuple[int, int]:
    """``(start, doublings)`` with ``start * 2**doublings == size`` and ``4 <= start <= 7``.

    32 -> (4, 3), 28 -> (7, 2), 16 -> (4, 2), 8 -> (4, 1). Sizes that never reach 4..7 by halving
    (e.g. 9, 18) are refused, since a conv G/D pair could not mirror each other on them.
    """
    if size < 8:
        raise ValueError(f"image size {size} is too small; the zoo's conv nets need at least 8x8")
    s, k = size, 0
    while s % 2 == 0 and s // 2 >= 4:
        s //= 2
        k += 1
    if not 4 <= s <= 7:
        raise ValueError(f"image size {size} cannot be halved down to 4..7 pixels; use e.g. 16, 28, 32 or 64")
    return s, k


def discriminator_downs(size: int, end: int = 8) -> int:
    """How many 2x down-blocks a ResNet D needs to reach at most ``end`` x ``end`` (at least one).

    The reference CIFAR-10 D (SNGAN, Mimicry, StudioGAN) pools 32 -> 16 -> 8 and sums over 8x8.
    Stopping at "one halving fewer than G's doublings" agrees at every power-of-two size, but at
    28 it would end at 14x14 and sum over 196 positions, 4x the reference's 64; its initial logits
    are then ~4x larger and a projection D learns the class term far more slowly (measured: README
    of ganbench-biggan). So the rule is the reference's end size, not its number of blocks.
    """
    resolution_plan(size)  # refuses the sizes the zoo cannot mirror; every accepted one halves evenly to <= 8
    n = 0
    while size > end:
        size //= 2
        n += 1
    return max(1, n)


def image_shape(data_shape: tuple[int, ...], model: str) -> tuple[int, int]:
    """``(channels, size)`` of square image data, or a one-line error naming the model."""
    if len(data_shape) != 3 or data_shape[1] != data_shape[2]:
        raise ValueError(f"{model} needs square images (C, H, H), got samples of shape {tuple(data_shape)}")
    return int(data_shape[0]), int(data_shape[1])
