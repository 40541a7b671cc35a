"""Images the tests draw themselves: coloured discs and squares on dark backgrounds, of varied
sizes and aspect ratios (so resizing and centre-cropping are exercised), PNG and JPEG."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.helpers.suites import suite_text


def draw_shapes(base: Path, per_class: int = 12, classes: tuple[str, ...] = ("discs", "squares"), seed: int = 0) -> Path:
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    for cls in classes:
        (base / cls).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            w, h = int(rng.integers(70, 110)), int(rng.integers(70, 110))
            im = Image.new("RGB", (w, h), tuple(int(c) for c in rng.integers(0, 80, 3)))
            d = ImageDraw.Draw(im)
            x, y, r = int(rng.integers(5, 30)), int(rng.integers(5, 30)), int(rng.integers(10, 20))
            fill = tuple(int(c) for c in rng.integers(150, 255, 3))
            (d.ellipse if cls == "discs" else d.rectangle)((x, y, x + 2 * r, y + 2 * r), fill=fill)
            im.save(base / cls / f"{i:03d}.{'png' if i % 2 else 'jpg'}")
    return base


TINY_DCGAN = {"model": "dcgan", "hparams": {"g_base_channels": 4, "d_base_channels": 4, "z_dim": 8}}


def folder_suite(path: Path, resolution: int, label: str, **overrides) -> str:
    """A suite that trains the tiny DCGAN one seed on the image folder at ``path`` (no metrics):
    what a researcher's first suite over their own images looks like."""
    folder = {"name": "image-folder", "label": label, "params": {"path": path, "resolution": resolution}}
    fields = {"seeds": 1, "batch_size": 8, "eval": {"n_samples": 16}, "metrics": [], "datasets": [folder], "models": [TINY_DCGAN]}
    return suite_text(**{**fields, **overrides})
