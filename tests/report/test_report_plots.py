"""Sample grids are pixel-exact: right layout, right values, one row per class."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from ganbench.report.plots import class_grid, image_grid


def _decode(uri: str) -> np.ndarray:
    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


def test_image_grid_layout_and_values():
    x = np.full((64, 3, 28, 28), -1.0, dtype=np.float16)
    x[0] = 1.0  # first tile white
    x[1, 0] = 1.0  # second tile red
    uri, width = image_grid(x)
    px = _decode(uri)
    assert px.shape == (8 * 30 + 2, 8 * 30 + 2, 3)  # 8 x 8 tiles of 28 px, 2 px padding
    assert width == px.shape[1] * 2  # small images are shown upscaled by the browser
    assert (px[2:30, 2:30] == 255).all()
    assert (px[2:30, 32:60] == [255, 0, 0]).all()
    assert (px[2:30, 62:90] == 0).all()


def test_grayscale_and_out_of_range_values_are_clipped():
    x = np.linspace(-3, 3, 16 * 32 * 32).reshape(16, 1, 32, 32).astype(np.float32)
    uri, _ = image_grid(x, ncol=4)
    px = _decode(uri)
    assert px.ndim == 2 and px.shape == (4 * 34 + 2, 4 * 34 + 2)
    assert px.min() == 0 and px.max() == 255


def test_class_grid_puts_each_class_on_its_own_row():
    labels = np.arange(30) % 3
    x = np.stack([np.full((1, 8, 8), -1 + c, dtype=np.float32) for c in labels])  # class c → value c - 1
    uri, classes, _ = class_grid(x, labels, per_class=4)
    px = _decode(uri)
    assert classes == [0, 1, 2] and px.shape == (3 * 10 + 2, 4 * 10 + 2)
    row_values = [int(px[2 + r * 10 + 4, 6]) for r in range(3)]
    assert row_values == [0, 128, 255]
