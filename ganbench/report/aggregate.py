"""Aggregation of final metrics over seeds: the numbers every table in the report shows."""

from __future__ import annotations

import numpy as np
import pandas as pd

GROUP = ["dataset_label", "label", "pack"]


def final_metrics(runs: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, metric) of the finished runs' final evaluation, with the run's keys."""
    if runs.empty or metrics.empty:
        return pd.DataFrame(columns=[*GROUP, "run_id", "seed", "name", "value", "direction", "extractor"])
    fin = metrics[metrics["final"] == 1]
    done = runs[runs["status"] == "done"][["run_id", "seed", *GROUP]]
    return fin.merge(done, on="run_id")[[*GROUP, "run_id", "seed", "name", "value", "direction", "extractor", "n_samples", "note"]]


def summarize(final: pd.DataFrame) -> pd.DataFrame:
    """mean, std (ddof=1, 0 for one seed), and seed count per (dataset, model, pack, metric)."""
    if final.empty:
        return pd.DataFrame(columns=[*GROUP, "name", "mean", "std", "n", "direction", "extractor"])
    g = final.groupby([*GROUP, "name"], dropna=False)
    out = g["value"].agg(mean="mean", std=lambda v: float(np.std(v.dropna(), ddof=1)) if v.count() > 1 else 0.0, n="count")
    meta = g[["direction", "extractor"]].first()
    return out.join(meta).reset_index()


def fmt_mean_std(mean: float, std: float, name: str = "") -> str:
    if mean is None or (isinstance(mean, float) and np.isnan(mean)):
        return "—"
    digits = 1 if abs(mean) >= 100 else 2 if abs(mean) >= 1 else 3
    if name in ("modes",):
        digits = 1
    return f"{mean:.{digits}f} ± {std:.{digits}f}"
