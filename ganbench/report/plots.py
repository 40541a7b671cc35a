"""Plots rendered to inline PNG (base64), so the report needs no network and no files beside it."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def to_data_uri(fig: "plt.Figure") -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def mog_scatter(samples: np.ndarray, centers: np.ndarray, std: float, title: str) -> str:
    """Generated samples over the true modes; the rings are the 3-std high-quality zones."""
    fig, ax = plt.subplots(figsize=(3.2, 3.2))
    ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.4, color="#1f77b4", label="generated")
    for c in centers:
        ax.add_patch(plt.Circle(c, 3 * std, fill=False, color="#d62728", lw=0.8))
    ax.scatter(centers[:, 0], centers[:, 1], marker="x", color="#d62728", s=14, label="mode centre")
    span = np.abs(centers).max() + max(6 * std, 0.5)
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=8)
    ax.tick_params(labelsize=6)
    return to_data_uri(fig)
