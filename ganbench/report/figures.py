"""The report's "Model figures" section: the image grids metrics left with each run.

Family-specific pictures (InfoGAN's code grids, an inference GAN's reconstructions) are not drawn
by report code for each family: a metric puts them into ``MetricContext.figures`` and the harness
stores them (:mod:`ganbench.contract.figures`). Here every stored grid is shown, per dataset and model, for
one seed (the lowest one every model of the dataset has, as in the Samples section).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ganbench.contract.figures import INDEX, PREFIX
from ganbench.report import plots
from ganbench.report.load import ReportData
from ganbench.report.sections import group_key


def grid_figure(grid: np.ndarray) -> tuple[str, int]:
    """A ``(rows, cols, C, H, W)`` grid in [-1, 1] as a PNG data URI, with its display width."""
    rows, cols = grid.shape[:2]
    src, width = plots.image_grid(grid.reshape(rows * cols, *grid.shape[2:]).astype(np.float32), ncol=cols,
                                  limit=rows * cols)
    return src, width


def figure_titles(data: ReportData, run_id: str) -> list[str]:
    """The titles of the figures stored with a run (none for runs without)."""
    index = data.array(run_id, INDEX)
    return [] if index is None else [str(t) for t in np.asarray(index).ravel()]


def model_figures(data: ReportData, packed: bool) -> list[dict[str, Any]]:
    """Per dataset, per model × pack: every stored figure of one finished run."""
    runs = data.runs
    if runs.empty:
        return []
    done = runs[runs["status"] == "done"]
    out = []
    for dataset, part in done.groupby("dataset_label", sort=True):
        seed_sets = [set(g["seed"]) for _, g in part.groupby(["label", "pack"])]
        common = sorted(set.intersection(*seed_sets)) if seed_sets else []
        groups = []
        for (label, pack), grp in part.groupby(["label", "pack"], sort=True):
            pick = grp[grp["seed"] == common[0]] if common else grp.sort_values("seed")
            run = pick.iloc[0]
            figures = []
            for title in figure_titles(data, run["run_id"]):
                grid = data.array(run["run_id"], PREFIX + title)
                if grid is None or grid.ndim != 5:
                    continue
                src, width = grid_figure(grid)
                figures.append({"title": title, "src": src, "width": width})
            if figures:
                groups.append({"key": f"{group_key(label, pack, packed)} · seed {int(run['seed'])}", "figures": figures})
        if groups:
            out.append({"dataset": dataset, "groups": groups})
    return out
