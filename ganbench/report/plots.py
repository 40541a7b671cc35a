"""Plots rendered to inline PNG (base64 data URIs), so the report needs no network and no files
beside it. Matplotlib for charts; Pillow for sample grids (pixel-exact, and far faster)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402

DPI = 80
PALETTE = plt.get_cmap("tab10").colors


def to_data_uri(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def png_data_uri(pixels: np.ndarray) -> str:
    """uint8 (H, W) or (H, W, 3) → PNG data URI."""
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def colors_for(keys: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """One colour per model × pack, the same in every plot of the report."""
    return {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}


def mog_scatter(samples: np.ndarray, centers: np.ndarray, std: float, title: str) -> str:
    """Generated samples over the true modes; the rings are the 3-std high-quality zones."""
    fig, ax = plt.subplots(figsize=(3.0, 3.0))
    ax.scatter(samples[:, 0], samples[:, 1], s=1.5, alpha=0.35, color="#1f77b4", linewidths=0)
    for c in centers:
        ax.add_patch(plt.Circle(c, 3 * std, fill=False, color="#d62728", lw=0.8))
    ax.scatter(centers[:, 0], centers[:, 1], marker="x", color="#d62728", s=14)
    span = np.abs(centers).max() + max(6 * std, 0.5)
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=8)
    ax.tick_params(labelsize=6)
    return to_data_uri(fig)


def curve_series(grp: pd.DataFrame) -> list[tuple[float | None, pd.DataFrame]]:
    """Split one model's points of one metric by generated-sample count: points evaluated with
    different ``n_samples`` are never joined by a line (FID's small-sample bias alone would make
    the curve jump). One series when the count is constant or unknown."""
    if "n_samples" not in grp or grp["n_samples"].nunique(dropna=True) <= 1:
        return [(None, grp)]
    return [(float(n), sub) for n, sub in grp.groupby("n_samples", sort=True)]


def curves_figure(part: pd.DataFrame, x_label: str, colors: Mapping[str, tuple]) -> str:
    """One panel per metric; per model × pack the mean over seeds with a ±1 std band.
    ``part`` has columns key (legend label), name, x, mean, std and optionally n_samples: where a
    model's points of one metric differ in n_samples, each count is its own series (its own line
    style), labelled ``n=...`` in a legend of that panel."""
    names = list(dict.fromkeys(part["name"]))
    ncol = min(3, len(names))
    nrow = -(-len(names) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 2.6 * nrow), squeeze=False)
    styles = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D")]
    for ax, name in zip(axes.flat, names):
        split = False
        for key, grp in part[part["name"] == name].groupby("key", sort=False):
            series = curve_series(grp)
            split |= len(series) > 1
            for i, (n, sub) in enumerate(series):
                sub = sub.sort_values("x")
                x, m, s = sub["x"].to_numpy(float), sub["mean"].to_numpy(float), sub["std"].to_numpy(float)
                ls, mk = styles[i % len(styles)]
                label = key if n is None else f"{key}, n={int(n):,}"
                ax.plot(x, m, ls=ls, marker=mk, ms=3, lw=1.4, color=colors.get(key), label=label)
                ax.fill_between(x, m - s, m + s, color=colors.get(key), alpha=0.18, lw=0)
        if split:
            ax.legend(fontsize=6, title="n = generated samples", title_fontsize=6)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(x_label, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    labels = list(dict.fromkeys(part["key"]))  # one entry per model × pack (its colour)
    handles = [Line2D([], [], color=colors.get(k), marker="o", ms=3, lw=1.4) for k in labels]
    fig.legend(handles, labels, loc="upper center", ncol=min(6, len(labels)), fontsize=8,
               bbox_to_anchor=(0.5, 1.0 + 0.06 / nrow), frameon=False)
    fig.tight_layout()
    return to_data_uri(fig)


def loss_figure(part: pd.DataFrame, x: str, x_label: str) -> str:
    """One panel per model × pack (column ``key``): every loss (column ``loss``) in its own colour,
    one thin line per seed, ``value`` against column ``x``."""
    keys = list(dict.fromkeys(part["key"]))
    names = sorted(part["loss"].unique())
    cmap = plt.get_cmap("tab10")
    color = {n: cmap(i % 10) for i, n in enumerate(names)}
    ncol = min(3, len(keys))
    nrow = -(-len(keys) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 2.6 * nrow), squeeze=False)
    for ax, key in zip(axes.flat, keys):
        for (loss, _seed), sub in part[part["key"] == key].groupby(["loss", "seed"], sort=True):
            sub = sub.sort_values("step")
            ax.plot(sub[x].to_numpy(float), sub["value"].to_numpy(float), lw=0.9, alpha=0.8, color=color[loss])
        ax.set_title(str(key), fontsize=9)
        ax.set_xlabel(x_label, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    handles = [Line2D([], [], color=color[n], lw=1.4) for n in names]
    fig.legend(handles, names, loc="upper center", ncol=min(6, len(names)), fontsize=8,
               bbox_to_anchor=(0.5, 1.0 + 0.06 / nrow), frameon=False)
    fig.tight_layout()
    return to_data_uri(fig)


def _to_pixels(samples: np.ndarray) -> np.ndarray:
    """(N, C, H, W) in [-1, 1] → uint8 (N, H, W, 3) or (N, H, W)."""
    x = np.nan_to_num(np.asarray(samples, dtype=np.float32))
    x = ((np.clip(x, -1, 1) + 1) * 127.5).round().astype(np.uint8)
    if x.shape[1] == 3:
        return x.transpose(0, 2, 3, 1)
    return x[:, 0]


def _tile(tiles: list[np.ndarray], ncol: int, pad: int = 2, scale: int = 1) -> np.ndarray:
    """uint8 tiles (H, W) or (H, W, 3) in rows of ``ncol`` on a white background, ``pad`` pixels
    apart: torchvision's ``make_grid``, with a short first row filled with white tiles so the grid
    is always ``ncol`` wide (make_grid would narrow it), and greyscale kept one channel."""
    import torch
    from torchvision.utils import make_grid

    blank = np.full_like(tiles[0], 255)
    full = list(tiles) + [blank] * (ncol - len(tiles))
    alone = len(full) == 1  # make_grid returns a single image unpadded: pad it as a row of two, cut one
    x = torch.from_numpy(np.stack(full + [blank] * alone))
    x = x.permute(0, 3, 1, 2) if x.ndim == 4 else x[:, None]
    g = make_grid(x, nrow=2 if alone else ncol, padding=pad, pad_value=255)
    grid = g.permute(1, 2, 0).numpy() if tiles[0].ndim == 3 else g[0].numpy()
    if alone:
        grid = grid[:, : grid.shape[1] - (tiles[0].shape[1] + pad)]
    grid = np.ascontiguousarray(grid)
    if scale > 1:
        grid = grid.repeat(scale, axis=0).repeat(scale, axis=1)
    return grid


def _scale(h: int) -> int:
    return max(1, min(4, 64 // max(h, 1)))


def pixel_grid(tiles: list[np.ndarray], ncol: int) -> tuple[str, int]:
    """The one grid path of the report: uint8 tiles in rows of ``ncol``, as a pixel-exact PNG and
    the width to display it at (small images are upscaled by the browser, not in the file)."""
    grid = _tile(tiles, ncol)
    return png_data_uri(grid), grid.shape[1] * _scale(tiles[0].shape[0])


def image_grid(samples: np.ndarray, ncol: int = 8, limit: int = 64) -> tuple[str, int]:
    """The first ``limit`` samples (drawn from the same fixed latents for every model), at native
    resolution, with the width to display it at: the browser upscales small images (pixelated),
    which keeps the file several times smaller than upscaled PNGs."""
    return pixel_grid(list(_to_pixels(samples[:limit])), ncol)


def class_grid(samples: np.ndarray, labels: np.ndarray, per_class: int = 8) -> tuple[str, list[int], int]:
    """One row per class label present, ``per_class`` samples each; returns the row labels and
    the display width."""
    px = _to_pixels(samples)
    classes = sorted(int(c) for c in np.unique(labels))
    blank = np.full_like(px[0], 255)
    tiles = []
    for c in classes:
        idx = np.flatnonzero(labels == c)[:per_class]
        tiles += [px[i] for i in idx] + [blank] * (per_class - len(idx))
    src, width = pixel_grid(tiles, per_class)
    return src, classes, width


def truncation_figure(part: pd.DataFrame, colors: Mapping[str, tuple]) -> str:
    """Metric vs truncation threshold per model (mean ± std over seeds), one panel per metric.
    ``part`` has columns key, base, trunc, mean, std."""
    bases = list(dict.fromkeys(part["base"]))
    fig, axes = plt.subplots(1, len(bases), figsize=(3.6 * len(bases), 2.6), squeeze=False)
    for ax, base in zip(axes.flat, bases):
        for key, grp in part[part["base"] == base].groupby("key", sort=False):
            grp = grp.sort_values("trunc")
            ax.errorbar(grp["trunc"], grp["mean"], yerr=grp["std"], marker="o", ms=3, capsize=2,
                        color=colors.get(key), label=key)
        ax.set_title(f"{base} vs truncation", fontsize=9)
        ax.set_xlabel("truncation threshold", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return to_data_uri(fig)


def _compact(v: float, _pos: int | None = None) -> str:
    """Axis numbers that never collide: 12000 → 12k."""
    return f"{v / 1000:g}k" if abs(v) >= 1000 else f"{v:g}"


def throughput_figure(part: pd.DataFrame, titles: Mapping[str, str], colors: Mapping[str, tuple]) -> str:
    """Horizontal bars (mean ± std over seeds) per model, one panel per throughput metric.
    ``part`` has columns key, name, mean, std."""
    names = list(dict.fromkeys(part["name"]))
    keys = list(dict.fromkeys(part["key"]))
    fig, axes = plt.subplots(1, len(names), figsize=(3.4 * len(names), 0.35 * len(keys) + 1.0), squeeze=False)
    for ax, name in zip(axes.flat, names):
        sub = part[part["name"] == name].set_index("key").reindex(keys)
        y = np.arange(len(keys))
        ax.barh(y, sub["mean"].fillna(0), xerr=sub["std"].fillna(0), color=[colors.get(k) for k in keys],
                capsize=2, height=0.6)
        ax.set_yticks(y, keys if ax is axes.flat[0] else [""] * len(keys), fontsize=7)
        ax.invert_yaxis()
        ax.set_title(titles.get(name, name), fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return to_data_uri(fig)
