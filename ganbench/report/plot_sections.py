"""The report's figure sections: metric and loss curves, sample scatters and grids, truncation sweeps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ganbench.report import plots
from ganbench.report.aggregate import (
    THROUGHPUT,
    budget_axis,
    curves,
    fmt_mean_std,
    fmt_value,
    metric_order,
    truncation_sweeps,
)
from ganbench.report.load import ReportData
from ganbench.report.sections import group_key
from ganbench.train.losses import is_loss


# -- curves ------------------------------------------------------------------------------------
def curve_plots(data: ReportData, colors: dict[str, tuple], packed: bool) -> list[dict[str, Any]]:
    """Per dataset one figure: every metric evaluated more than once vs the budget spent."""
    x, x_label = budget_axis(data.runs)
    c = curves(data.runs, data.metrics, x)
    if c.empty:
        return []
    c = c[~c["name"].isin(THROUGHPUT)]
    counts = c.groupby(["dataset_label", "name"])["point"].nunique()
    out = []
    for dataset, part in c.groupby("dataset_label", sort=True):
        keep = [n for n in metric_order(part["name"].unique()) if counts.get((dataset, n), 0) > 1]
        if not keep:
            continue
        part = part[part["name"].isin(keep)].copy()
        part["name"] = pd.Categorical(part["name"], keep, ordered=True)
        part = part.sort_values(["name", "label", "pack", "point"])
        part["name"] = part["name"].astype(str)
        part["key"] = [group_key(lbl, p, packed) for lbl, p in zip(part["label"], part["pack"])]
        out.append({"dataset": dataset, "x_label": x_label, "src": plots.curves_figure(part, x_label, colors)})
    return out


def loss_plots(data: ReportData, packed: bool) -> list[dict[str, Any]]:
    """Per dataset one figure of the thinned ``train_step`` loss curves: a panel per model × pack,
    each loss its own colour, each seed its own line (every run is visible)."""
    m, runs = data.metrics, data.runs
    if m.empty or runs.empty:
        return []
    x, x_label = budget_axis(runs)
    losses = m[m["name"].map(is_loss).astype(bool)]
    if losses.empty:
        return []
    losses = losses.merge(runs[["run_id", "label", "pack", "seed", "dataset_label"]], on="run_id")
    out = []
    for dataset, part in losses.groupby("dataset_label", sort=True):
        part = part.assign(key=[group_key(lbl, p, packed) for lbl, p in zip(part["label"], part["pack"])],
                           loss=part["name"].str.slice(len("loss/")))
        out.append({"dataset": dataset, "x_label": x_label, "src": plots.loss_figure(part, x, x_label)})
    return out


# -- samples -----------------------------------------------------------------------------------
def sample_sections(data: ReportData, packed: bool) -> list[dict[str, Any]]:
    """Per dataset: MoG scatters (vector data with mode centres) or image grids, and per-class
    grids for conditional models. Every model is shown at the same seed where possible, so
    image grids compare models on the same latent vectors."""
    runs = data.runs
    done = runs[runs["status"] == "done"] if not runs.empty else runs
    out = []
    for dataset, part in done.groupby("dataset_label", sort=True):
        seed_sets = [set(g["seed"]) for _, g in part.groupby(["label", "pack"])]
        common = sorted(set.intersection(*seed_sets)) if seed_sets else []
        figures, class_figures = [], []
        for (label, pack), grp in part.groupby(["label", "pack"], sort=True):
            pick = grp[grp["seed"] == common[0]] if common else grp.sort_values("seed")
            run = pick.iloc[0]
            samples = data.array(run["run_id"], "samples")
            if samples is None:
                continue
            title = f"{group_key(label, pack, packed)} · seed {int(run['seed'])}"
            if samples.ndim == 2:
                centers = data.array(run["run_id"], "mode_centers")
                std = data.array(run["run_id"], "mode_std")
                if centers is None or std is None or samples.shape[1] != 2 or centers.shape[1] != 2:
                    continue
                figures.append({"title": title, "kind": "scatter",
                                "src": plots.mog_scatter(samples, centers, float(std.ravel()[0]), title)})
            elif samples.ndim == 4:
                src, width = plots.image_grid(samples)
                figures.append({"title": title, "kind": "grid", "src": src, "width": width})
                labels = data.array(run["run_id"], "sample_labels")
                if labels is not None and len(labels) == len(samples):
                    src, classes, width = plots.class_grid(samples, np.asarray(labels).ravel())
                    class_figures.append({"title": title, "src": src, "classes": classes, "width": width})
        if figures:
            kind = figures[0]["kind"]
            out.append({"dataset": dataset, "kind": kind, "figures": figures, "class_figures": class_figures,
                        "seed": common[0] if common else None})
    return out


# -- truncation --------------------------------------------------------------------------------
def truncation(summary: pd.DataFrame, colors: dict[str, tuple], packed: bool) -> list[dict[str, Any]]:
    """Metrics named ``base@trunc=t`` (BigGAN's truncation trick) as curves over t, per dataset."""
    t = truncation_sweeps(summary)
    out = []
    for dataset, part in t.groupby("dataset_label", sort=True):
        part = part.copy()
        part["key"] = [group_key(lbl, p, packed) for lbl, p in zip(part["label"], part["pack"])]
        rows = [{"key": r["key"], "base": r["base"], "trunc": fmt_value(r["trunc"]),
                 "text": fmt_mean_std(r["mean"], r["std"], r["base"], r.get("n"))} for _, r in part.iterrows()]
        out.append({"dataset": dataset, "src": plots.truncation_figure(part, colors), "rows": rows})
    return out
