"""Figures a metric leaves for the report: the extension point for family-specific pictures.

A metric that has something to *show* (InfoGAN: a grid of samples varying one code; an inference
GAN: inputs above their reconstructions) puts an image grid into ``MetricContext.figures`` at the
final evaluation::

    ctx.figures["c1 (categorical)"] = grid    # (rows, cols, C, H, W), values in [-1, 1]

The harness stores every grid with the run (:func:`store_figures`) and the report draws each one
under "Model figures" (:mod:`ganbench.report.figures`), beside the run's dataset and model. No
template or report code changes for a new family: a metric plugin only fills the mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

PREFIX = "figure/"
INDEX = "figure_index"
MAX_TILES = 400


def check_figure(title: str, grid: Any) -> np.ndarray:
    """A figure must be a ``(rows, cols, C, H, W)`` array with 1 or 3 channels and at most
    :data:`MAX_TILES` tiles (the report is one HTML file); returned as float16."""
    arr = np.asarray(grid.detach().cpu() if hasattr(grid, "detach") else grid, dtype=np.float32)
    if arr.ndim != 5 or arr.shape[2] not in (1, 3):
        raise ValueError(f"figure {title!r}: expected shape (rows, cols, C, H, W) with C 1 or 3, got {arr.shape}")
    if arr.shape[0] * arr.shape[1] > MAX_TILES:
        raise ValueError(f"figure {title!r}: {arr.shape[0] * arr.shape[1]} tiles, at most {MAX_TILES}")
    if not np.isfinite(arr).all():
        raise ValueError(f"figure {title!r}: non-finite values")
    return arr.astype(np.float16)


def store_figures(store: Any, run_id: str, figures: Mapping[str, Any]) -> list[str]:
    """Write each figure as an artifact ``figure/<title>`` plus an index of the titles; returns the
    titles stored. A malformed figure raises ``ValueError`` naming it."""
    if not figures:
        return []
    arrays = {title: check_figure(title, grid) for title, grid in figures.items()}
    for title, arr in arrays.items():
        store.put_array(run_id, PREFIX + title, arr)
    titles = list(arrays)
    store.put_array(run_id, INDEX, np.array(titles, dtype=str))
    return titles


__all__ = ["INDEX", "MAX_TILES", "PREFIX", "check_figure", "store_figures"]
