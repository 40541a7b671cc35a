"""Aggregation over seeds: the numbers every table and plot in the report shows.

Pure pandas on the store's frames (no store, no HTML), so each rule — mean ± std, which cell is
best, whether a gap is within seed noise, how curves are averaged — is unit-tested on known inputs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ganbench.report.stats import ALPHA, noise_verdict, welch_p
from ganbench.train.losses import is_loss

GROUP = ["dataset_label", "label", "pack"]
THROUGHPUT = ("train_samples_per_s", "train_steps_per_s", "gen_samples_per_s", "peak_mem_mb")
# Quality metrics first, in the order the papers print them; anything else follows alphabetically.
PREFERRED = ("modes", "hq_share", "reverse_kl", "kl", "is", "fid", "kid", "precision", "recall",
             "density", "coverage")
TRUNC_RE = re.compile(r"^(?P<base>[^@]+)@trunc=(?P<trunc>[-+0-9.eE]+)$")
BUDGET_AXIS = {"steps": ("step", "generator steps"), "kimg": ("kimg", "kimg (real samples shown to D)"),
               "seconds": ("train_seconds", "training seconds")}

_FINAL_COLS = [*GROUP, "run_id", "seed", "name", "value", "direction", "extractor", "n_samples", "n_real", "note"]
_SUMMARY_COLS = [*GROUP, "name", "mean", "std", "sem", "n", "direction", "extractor", "n_samples", "n_real", "note"]


def is_error_metric(name: str) -> bool:
    return name.endswith(".error")


def truncation_key(name: str) -> tuple[str, float] | None:
    """``fid@trunc=0.5`` → ``("fid", 0.5)``; ``None`` for ordinary metric names."""
    m = TRUNC_RE.match(name)
    if not m:
        return None
    try:
        return m["base"], float(m["trunc"])
    except ValueError:
        return None


def is_leaderboard_metric(name: str) -> bool:
    """Truncation sweeps get their own plot, metric failures their run's section and the
    ``loss/*`` curves (:mod:`ganbench.train.losses`) their own figure; ``sampler/*`` rows (which
    generator the samples came from, e.g. an EMA's decay) are protocol facts shown with each run."""
    return (not is_error_metric(name) and truncation_key(name) is None and not is_loss(name)
            and not name.startswith("sampler/"))


def metric_order(names: Iterable[str]) -> list[str]:
    """Quality metrics in paper order, then others alphabetically, throughput last."""

    def key(n: str) -> tuple[int, int, str]:
        if n in THROUGHPUT:
            return (2, THROUGHPUT.index(n), n)
        if n in PREFERRED:
            return (0, PREFERRED.index(n), n)
        return (1, 0, n)

    return sorted(set(names), key=key)


def final_metrics(runs: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, metric) of the finished runs' final evaluation, with the run's keys."""
    if runs.empty or metrics.empty:
        return pd.DataFrame(columns=_FINAL_COLS)
    fin = metrics[metrics["final"] == 1]
    done = runs[runs["status"] == "done"][["run_id", "seed", *GROUP]]
    return fin.merge(done, on="run_id")[_FINAL_COLS]


def _std(v: pd.Series) -> float:
    v = v.dropna()
    return float(np.std(v, ddof=1)) if len(v) > 1 else 0.0


def _first(v: pd.Series) -> Any:
    v = v.dropna()
    return v.iloc[0] if len(v) else None


def summarize(final: pd.DataFrame) -> pd.DataFrame:
    """mean, std (ddof=1; 0 for one seed), standard error and seed count per
    (dataset, model, pack, metric), with the metric's direction, extractor and sample counts."""
    if final.empty:
        return pd.DataFrame(columns=_SUMMARY_COLS)
    g = final.groupby([*GROUP, "name"], dropna=False, sort=True)
    out = g["value"].agg(mean="mean", std=_std, n="count")
    out["sem"] = out["std"] / np.sqrt(out["n"].clip(lower=1))
    meta = g[["direction", "extractor", "n_samples", "n_real", "note"]].agg(_first)
    return out.join(meta).reset_index()[_SUMMARY_COLS]


def mark_best(summary: pd.DataFrame) -> pd.DataFrame:
    """Add ``best``: per dataset and metric, the row(s) whose mean is best in the metric's
    direction (ties all best; metrics without a direction have no best; a degenerate FID/KID of
    exactly 0 is never the best, see :func:`ganbench.report.comparability.is_degenerate`)."""
    from ganbench.report.comparability import is_degenerate

    out = summary.copy()
    out["best"] = False
    for _, idx in out.groupby(["dataset_label", "name"]).groups.items():
        part = out.loc[idx]
        direction = _first(part["direction"])
        means = part["mean"].dropna()
        means = means[[not is_degenerate(str(n), m) for n, m in zip(part.loc[means.index, "name"], means)]]
        if direction not in ("higher", "lower") or means.empty:
            continue
        target = means.max() if direction == "higher" else means.min()
        out.loc[means.index[np.isclose(means.values, target, rtol=1e-9, atol=1e-12)], "best"] = True
    return out


def add_noise(summary: pd.DataFrame, final: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """Add ``p_best`` (Welch p-value of each row against the best row of its column) and
    ``verdict``: ``best``, ``noise`` (gap within seed noise), ``significant`` or ``unknown``."""
    out = summary if "best" in summary else mark_best(summary)
    out = out.copy()
    out["p_best"] = np.nan
    out["verdict"] = ""
    values = {k: grp["value"].tolist() for k, grp in final.groupby([*GROUP, "name"], dropna=False)}
    for _, idx in out.groupby(["dataset_label", "name"]).groups.items():
        part = out.loc[idx]
        best_rows = part[part["best"]]
        if best_rows.empty:
            continue
        b = best_rows.iloc[0]
        best_vals = values.get((b["dataset_label"], b["label"], b["pack"], b["name"]), [])
        for i, r in part.iterrows():
            if r["best"]:
                out.at[i, "verdict"] = "best"
                continue
            p = welch_p(best_vals, values.get((r["dataset_label"], r["label"], r["pack"], r["name"]), []))
            out.at[i, "p_best"] = np.nan if p is None else p
            out.at[i, "verdict"] = noise_verdict(p, alpha)
    return out


def budget_axis(runs: pd.DataFrame) -> tuple[str, str]:
    """The metrics column to plot against and its label: the unit the suite's budget is in."""
    kinds = set()
    for cfg in runs.get("config", pd.Series(dtype=object)):
        budget = cfg.get("budget", {}) if isinstance(cfg, dict) else {}
        kinds.update(k for k in budget if k in BUDGET_AXIS)
    kind = kinds.pop() if len(kinds) == 1 else "steps"
    return BUDGET_AXIS[kind]


def curves(runs: pd.DataFrame, metrics: pd.DataFrame, x: str = "step") -> pd.DataFrame:
    """Metric vs budget averaged over seeds: the k-th evaluation of every seed is one point
    (x = mean budget spent there; y = mean, std over seeds). Ranking evaluations instead of
    matching x exactly lets seconds-budgets, whose x differs per seed, average too.

    ``n_samples`` is the generated-sample count of the point (the largest over seeds): FID and KID
    depend on it, so a point evaluated with another count (e.g. the final evaluation after smaller
    intermediate ones) belongs to another series (:func:`ganbench.report.plots.curves_figure`)."""
    cols = [*GROUP, "name", "point", "x", "mean", "std", "n", "n_samples"]
    if runs.empty or metrics.empty:
        return pd.DataFrame(columns=cols)
    done = runs[runs["status"] == "done"][["run_id", *GROUP]]
    m = metrics[metrics["name"].map(is_leaderboard_metric).astype(bool)].merge(done, on="run_id")
    if m.empty:
        return pd.DataFrame(columns=cols)
    m = m.sort_values(["run_id", "name", "step"])
    if "n_samples" not in m:
        m["n_samples"] = np.nan
    m["point"] = m.groupby(["run_id", "name"]).cumcount()
    g = m.groupby([*GROUP, "name", "point"], sort=True)
    out = g.agg(x=(x, "mean"), mean=("value", "mean"), std=("value", _std), n=("value", "count"),
                n_samples=("n_samples", "max"))
    return out.reset_index()[cols]


def truncation_sweeps(summary: pd.DataFrame) -> pd.DataFrame:
    """Rows of metrics named ``base@trunc=t``, with ``base`` and ``trunc`` split out."""
    keys = summary["name"].map(truncation_key)
    part = summary[keys.notna()].copy()
    if part.empty:
        return part.assign(base=pd.Series(dtype=str), trunc=pd.Series(dtype=float))
    part["base"] = keys[keys.notna()].map(lambda k: k[0])
    part["trunc"] = keys[keys.notna()].map(lambda k: k[1])
    return part.sort_values([*GROUP, "base", "trunc"]).reset_index(drop=True)


def _digits(mean: float, name: str) -> int:
    if name == "modes":
        return 1
    a = abs(mean)
    return 1 if a >= 100 else 2 if a >= 1 else 3 if a >= 0.01 or a == 0 else 4


def fmt_value(mean: float | None, name: str = "") -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "—"
    return f"{mean:.{_digits(mean, name)}f}"


def fmt_mean_std(mean: float | None, std: float | None, name: str = "", n: int | None = None) -> str:
    """``mean ± std`` with digits scaled to the magnitude, ``—`` for a missing value, and the mean
    alone when there is no spread (one seed: ``n`` < 2, or a paper without ±): "± 0.000" would
    claim a spread nobody measured."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "—"
    d = _digits(mean, name)
    if std is None or (isinstance(std, float) and math.isnan(std)) or (n is not None and n == n and int(n) < 2):
        return f"{mean:.{d}f}"
    return f"{mean:.{d}f} ± {std:.{d}f}"
