"""Build the HTML report from a results store (so it can be rebuilt at any time)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from ganbench import __version__
from ganbench.report.aggregate import final_metrics, fmt_mean_std, summarize
from ganbench.report.plots import mog_scatter
from ganbench.store import Store

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("ganbench.report", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)

MOG_COLUMNS = [("modes", "modes covered"), ("hq_share", "high-quality share"), ("reverse_kl", "reverse KL")]


def leaderboard(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """Per dataset: rows = model × pack, columns = metrics, mean ± std over seeds, best marked."""
    tables = []
    for dataset, part in summary.groupby("dataset_label", sort=True):
        names = sorted(part["name"].unique(), key=lambda n: (n.endswith("_per_s"), n))
        best: dict[str, float] = {}
        for name in names:
            col = part[part["name"] == name]
            direction = col["direction"].dropna().iloc[0] if col["direction"].notna().any() else None
            if direction in ("higher", "lower") and col["mean"].notna().any():
                best[name] = col["mean"].max() if direction == "higher" else col["mean"].min()
        rows = []
        for (label, pack), grp in part.groupby(["label", "pack"], sort=True):
            cells = []
            n = int(grp["n"].max())
            for name in names:
                hit = grp[grp["name"] == name]
                if hit.empty:
                    cells.append({"text": "—", "best": False, "sort": ""})
                    continue
                r = hit.iloc[0]
                cells.append(
                    {
                        "text": fmt_mean_std(r["mean"], r["std"], name),
                        "best": name in best and np.isclose(r["mean"], best[name]),
                        "sort": "" if pd.isna(r["mean"]) else float(r["mean"]),
                    }
                )
            rows.append({"label": label, "pack": int(pack), "n": n, "cells": cells})
        headers = []
        for name in names:
            col = part[part["name"] == name].iloc[0]
            arrow = {"higher": "↑", "lower": "↓"}.get(col["direction"], "")
            ext = f" ({col['extractor']})" if isinstance(col["extractor"], str) and col["extractor"] else ""
            headers.append(f"{name}{ext} {arrow}".strip())
        tables.append({"dataset": dataset, "headers": headers, "rows": rows})
    return tables


def scatter_plots(store: Store, runs: pd.DataFrame) -> list[dict[str, str]]:
    """One MoG scatter per (dataset, model, pack), from its lowest seed."""
    plots = []
    done = runs[runs["status"] == "done"].sort_values("seed")
    for (dataset, label, pack), grp in done.groupby(["dataset_label", "label", "pack"], sort=True):
        run = grp.iloc[0]
        samples = store.array(run["run_id"], "samples")
        centers = store.array(run["run_id"], "mode_centers")
        std = store.array(run["run_id"], "mode_std")
        if samples is None or centers is None or std is None or samples.ndim != 2:
            continue
        title = f"{label} pack {pack} on {dataset} (seed {run['seed']})"
        plots.append({"title": title, "src": mog_scatter(samples, centers, float(std[0]), title)})
    return plots


def render_report(store_path: str | Path, out: str | Path) -> Path:
    out = Path(out)
    with Store.open(store_path, create=False) as store:
        meta = store.meta()
        runs = store.runs()
        metrics = store.metrics()
        final = final_metrics(runs, metrics)
        summary = summarize(final)
        html = _env.get_template("report.html").render(
            title=f"ganbench — {meta.get('suite', 'results')}",
            meta=meta,
            generated=time.strftime("%Y-%m-%d %H:%M:%S"),
            version=__version__,
            tables=leaderboard(summary),
            scatters=scatter_plots(store, runs),
            runs=runs.to_dict("records"),
            counts=runs["status"].value_counts().to_dict(),
        )
    write_atomic(out, html)
    return out


def write_atomic(path: Path, text: str) -> None:
    """Write to a temp file in the same folder, then rename: readers never see half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
