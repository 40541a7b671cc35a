"""The report's image-to-image section: for each translation run, rows of input -> output ->
ground truth (-> output translated back, for models that translate both ways), from the arrays the
harness stores at the final evaluation (``translation_source``, ``_output``, ``_truth``, ``_cycle``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ganbench.report import plots
from ganbench.report.load import ReportData

ROWS = (("translation_source", "input"), ("translation_output", "output"), ("translation_truth", "ground truth"),
        ("translation_cycle", "cycle (output translated back)"))


def translation_grid(arrays: list[np.ndarray]) -> tuple[str, int]:
    """One image row per array (same number of columns), as a pixel-exact PNG and its display width."""
    ncol = min(len(a) for a in arrays)
    return plots.pixel_grid([tile for a in arrays for tile in plots._to_pixels(a[:ncol])], ncol)


def column_targets(data: ReportData, run: Any) -> list[str]:
    """The target domain of each column, by name when the run's config names the domains."""
    targets = data.array(run["run_id"], "translation_domains")
    if targets is None:
        return []
    config = run.get("config") if isinstance(run.get("config"), dict) else {}
    names = (config.get("dataset_params") or {}).get("domains") if config else None
    idx = [int(d) for d in np.asarray(targets).ravel()]
    return [str(names[i]) if isinstance(names, list) and i < len(names) else str(i) for i in idx]


def translation_sections(data: ReportData) -> list[dict[str, Any]]:
    """Per dataset, one figure per model (its lowest seed) with the rows it has; nothing when no
    run stored translations."""
    runs = data.runs
    if runs.empty:
        return []
    done = runs[runs["status"] == "done"]
    out = []
    for dataset, part in done.groupby("dataset_label", sort=True):
        figures = []
        for label, grp in part.groupby("label", sort=True):
            run = grp.sort_values("seed").iloc[0]
            got = [(data.array(run["run_id"], key), name) for key, name in ROWS]
            got = [(a, name) for a, name in got if a is not None and a.ndim == 4 and len(a)]
            if len(got) < 2:
                continue
            src, width = translation_grid([a for a, _ in got])
            figures.append({"title": f"{label} · seed {int(run['seed'])}", "src": src, "width": width,
                            "rows": [name for _, name in got], "domains": column_targets(data, run)})
        if figures:
            out.append({"dataset": dataset, "figures": figures})
    return out
