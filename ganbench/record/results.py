"""Results as pandas DataFrames, for notebooks and for ``ganbench export``.

Why here and not in the report: a reader who wants the numbers in a notebook should not have to
know the store's SQLite schema or the report's internals. :func:`load` reads one or several stores
through the report's own loader (:func:`ganbench.report.load.load_stores`, so merging works the
same: a run in two stores, the finished one wins, then the store named last) and its own
final-metric rule (:func:`ganbench.report.aggregate.final_metrics`), so a number here is the number
the report shows. Column names and units: :data:`COLUMNS` (also docs/results.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ganbench.report.aggregate import final_metrics, is_error_metric, metric_order, summarize
from ganbench.report.load import load_stores

RUN_KEYS = ["run_id", "label", "model", "model_version", "dataset", "dataset_label", "seed", "pack"]
"""The columns that name a run in every frame (a run id alone is unique; the rest is for grouping)."""

RUN_COLUMNS = [
    *RUN_KEYS, "suite", "suite_hash", "plugin", "plugin_dist", "status", "error", "steps", "kimg", "train_seconds",
    "duration_s", "started_at", "finished_at", "execution", "store", "config",
]
METRIC_COLUMNS = [
    *RUN_KEYS, "status", "step", "kimg", "train_seconds", "name", "value", "direction", "extractor", "n_samples",
    "n_real", "note", "final",
]

COLUMNS: dict[str, str] = {
    "run_id": ("the run's id: <label>__<dataset label>__pack<P>__seed<S> (in labels, characters other than "
               "letters, digits and . + - are written ~ and their UTF-8 hex)"),
    "label": "the model's display name in the suite (its label, else the model name)",
    "model": "the ModelSpec name the plugin announces",
    "model_version": "the model plugin's version when the run was made",
    "dataset": "the dataset provider's name",
    "dataset_label": "the dataset's display name in the suite",
    "seed": "the run's seed",
    "pack": "PacGAN packing degree (1: no packing)",
    "suite": "the suite's name",
    "suite_hash": "identifies the benchmark definition: equal hashes, comparable numbers",
    "plugin": "the plugin module that provides the model",
    "plugin_dist": "the distribution (pip package) that provides the model",
    "status": "done / failed / running / pending",
    "error": "why a failed run failed (None otherwise)",
    "steps": "generator steps the run took (run total)",
    "kimg": "thousands of real samples shown to D (run total in runs; at the evaluation in metrics)",
    "train_seconds": "seconds of training, evaluation excluded (run total in runs; at the evaluation in metrics)",
    "duration_s": "wall-clock seconds of the whole run, evaluations included",
    "started_at": "when the run started, seconds since the Unix epoch (UTC)",
    "finished_at": "when the run finished, seconds since the Unix epoch (UTC)",
    "execution": "how train_step ran: eager / compiled (...) / vectorized xN",
    "store": "the results store the run was read from",
    "config": "everything that defines the run (dict; a JSON string in exported files)",
    "step": "generator steps at the evaluation",
    "name": "metric name (docs/metrics.md); loss/<name>: a train_step loss, mean since the previous point",
    "value": "the metric's value, in the metric's own unit (docs/metrics.md): *_per_s per second, peak_mem_mb MiB",
    "direction": "higher / lower: which way is better (None: not a score)",
    "extractor": "the feature network the metric used (numbers from different extractors never compare)",
    "n_samples": "generated samples the metric used",
    "n_real": "real samples the metric used",
    "note": "how the number was made (protocol, mode, failure message)",
    "final": "True for the run's final evaluation",
}
"""Every exported column and its unit; a test holds docs/results.md to list each one."""


@dataclass
class Results:
    """One or several stores as DataFrames.

    ``runs``: one row per run. ``metrics``: long form, one row per (run, evaluation, metric),
    training-loss points included (``name`` ``loss/*``). ``final``: wide, one row per finished run,
    one column per final metric (what the report's tables average over seeds).
    """

    runs: pd.DataFrame
    metrics: pd.DataFrame
    final: pd.DataFrame
    paths: list[Path]

    def summary(self) -> pd.DataFrame:
        """Mean, std, sem and seed count per (dataset, model, pack, metric): the report's tables."""
        m = self.metrics
        fin = m[m["final"] & (m["status"] == "done")]
        return summarize(fin[["dataset_label", "label", "pack", "run_id", "seed", "name", "value", "direction",
                              "extractor", "n_samples", "n_real", "note"]].reset_index(drop=True))


def load(stores: str | Path | Sequence[str | Path], *, losses: bool = True) -> Results:
    """Load one output directory or ``results.sqlite`` (or several, merged) into DataFrames.

    ``losses=False`` leaves the thinned training-loss points (``loss/*``) out of ``metrics``.
    """
    with load_stores(stores) as data:
        return _frames(data.runs, data.metrics, data.paths, losses=losses)


def _frames(runs_raw: pd.DataFrame, metrics_raw: pd.DataFrame, paths: list[Path], *, losses: bool) -> Results:
    runs = runs_raw.copy()
    if runs.empty:
        runs = pd.DataFrame(columns=[*RUN_COLUMNS, "_store"])
    runs["store"] = [str(paths[int(i)]) for i in runs["_store"]] if len(runs) else []
    runs = runs[RUN_COLUMNS].reset_index(drop=True)

    metrics = metrics_raw.copy()
    if metrics.empty:
        metrics = pd.DataFrame(columns=[c for c in METRIC_COLUMNS if c not in RUN_KEYS and c != "status"] + ["run_id"])
    if not losses:
        metrics = metrics[~metrics["name"].astype(str).str.startswith("loss/")]
    keys = runs[[*RUN_KEYS, "status"]]
    metrics = metrics.drop(columns=[c for c in ("_store",) if c in metrics]).merge(keys, on="run_id", how="inner")
    metrics["final"] = metrics["final"].astype(bool)
    metrics = metrics[METRIC_COLUMNS].sort_values(["run_id", "step", "name"], kind="stable").reset_index(drop=True)

    return Results(runs, metrics, _wide_final(runs_raw, metrics_raw, runs), list(paths))


def _wide_final(runs_raw: pd.DataFrame, metrics_raw: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per finished run: its keys and totals, then one column per final metric in the
    report's order (quality metrics as the papers print them, throughput last); failed metrics
    (``*.error``, no value) are left out, their messages are in ``metrics``."""
    fin = final_metrics(runs_raw, metrics_raw)
    fin = fin[~fin["name"].map(is_error_metric)]
    head = runs.loc[runs["status"] == "done", [*RUN_KEYS, "steps", "kimg", "train_seconds"]]
    if fin.empty:
        return head.reset_index(drop=True)
    wide = fin.pivot_table(index="run_id", columns="name", values="value", aggfunc="first", dropna=False)
    wide = wide[metric_order(wide.columns)]
    wide.columns.name = None
    out = head.merge(wide.reset_index(), on="run_id", how="left")
    return out.reset_index(drop=True)


def config_json(config: Any) -> str:
    """A run's config as exported: sorted-key JSON (a dict does not fit a CSV/Parquet cell)."""
    return json.dumps(config if isinstance(config, dict) else {}, sort_keys=True, default=str)


__all__ = ["COLUMNS", "Results", "load", "config_json"]
