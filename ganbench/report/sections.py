"""Each report section as plain data for the template: one function per section.

A section whose data is absent from the store (no images, no truncation sweep, no packing) returns
nothing and the template leaves it out, so one report serves MoG, stacked MNIST and CIFAR suites.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ganbench.analyse.stats import t_interval
from ganbench.report import plots
from ganbench.report.aggregate import (
    fmt_mean_std,
    fmt_value,
    is_error_metric,
    is_leaderboard_metric,
    metric_order,
)
from ganbench.report.load import ReportData
from ganbench.report.skipped import skipped_pairs
from ganbench.report.stats import ALPHA, min_detectable_difference

ABLATION_METRICS = ("modes", "hq_share", "reverse_kl", "kl")
THROUGHPUT_TITLES = {
    "train_samples_per_s": "training samples/s",
    "train_steps_per_s": "generator steps/s",
    "gen_samples_per_s": "generation samples/s",
    "peak_mem_mb": "peak GPU memory (MiB)",
}
ARROW = {"higher": "↑", "lower": "↓"}
# One spread convention per table, printed in its caption. The ablation sits beside PacGAN's
# tables, which print the standard error of the mean over 10 trials, so it uses the same.
SPREAD_STD = "mean ± std over seeds (sample std, ddof = 1)"
SPREAD_SEM = "mean ± standard error over seeds (std / √n, as PacGAN reports)"


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _utc(ts: Any) -> str | None:
    try:
        return dt.datetime.fromtimestamp(float(ts), dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError, OverflowError):
        return None


def _budget_text(budget: dict[str, Any]) -> str:
    units = {"steps": "generator steps", "kimg": "kimg of real samples shown to D", "seconds": "training seconds"}
    return ", ".join(f"{v:,g} {units.get(k, k)}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in budget.items())


def _eval_text(ev: dict[str, Any]) -> str:
    parts = [f"{ev.get('n_samples', '?'):,} generated samples" if isinstance(ev.get("n_samples"), int) else ""]
    if ev.get("every"):
        parts.append(f"every {ev['every']} steps and at the end")
    elif ev.get("points"):
        parts.append(f"at {ev['points']} evenly spaced budget points (the last is the final evaluation)")
    else:
        parts.append("at the end")
    if ev.get("options"):
        parts.append("options " + json.dumps(ev["options"], sort_keys=True))
    return ", ".join(p for p in parts if p)


def _distinct(values: list[Any]) -> list[Any]:
    seen, out = set(), []
    for v in values:
        k = json.dumps(v, sort_keys=True, default=str)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def group_key(label: str, pack: int, packed: bool) -> str:
    """The name a model × pack goes by in legends: ``gan`` or ``gan pack 2``."""
    return f"{label} pack {int(pack)}" if packed else str(label)


# -- header ------------------------------------------------------------------------------------
def header(data: ReportData, final: pd.DataFrame) -> dict[str, Any]:
    """Suite, dates, versions, hardware, budget and evaluation protocol: what a number means."""
    meta, runs = data.meta, data.runs
    suites = _distinct([m.get("suite") for m in data.metas if m.get("suite")])
    description = None
    try:
        description = (yaml.safe_load(meta.get("suite_yaml") or "") or {}).get("description")
    except yaml.YAMLError:
        pass
    configs = [c for c in runs.get("config", []) if isinstance(c, dict)]
    started = runs["started_at"].dropna() if "started_at" in runs else pd.Series(dtype=float)
    finished = runs["finished_at"].dropna() if "finished_at" in runs else pd.Series(dtype=float)
    hw_run = [h for h in runs.get("hardware", []) if isinstance(h, dict) and h]
    hardware = _distinct(
        [{k: h.get(k) for k in ("cpu", "cpu_count", "gpu", "device", "torch", "cuda", "torch_threads", "platform")}
         for h in (hw_run or [meta.get("hardware") or {}])]
    )
    plugins = []
    if not runs.empty:
        cols = [c for c in ("model", "model_version", "plugin_dist", "plugin") if c in runs]
        for _, r in runs[cols].drop_duplicates().iterrows():
            plugins.append({k: ("" if _is_missing(r.get(k)) else str(r.get(k))) for k in cols})
    protocol = []
    if not final.empty:
        cols = ["name", "direction", "extractor", "n_samples", "n_real", "note"]
        f = final[final["name"].map(lambda n: not is_error_metric(n)).astype(bool)][cols]
        f = f.astype(object).where(f.notna(), None)
        for name in metric_order(f["name"].unique()):
            sub = f[f["name"] == name]
            protocol.append({
                "name": name,
                "direction": ARROW.get(sub["direction"].dropna().iloc[0], "") if sub["direction"].notna().any() else "",
                "extractor": ", ".join(sorted({str(v) for v in sub["extractor"].dropna()})),
                "n_samples": ", ".join(f"{int(v):,}" for v in sorted(set(sub["n_samples"].dropna()))),
                "n_real": ", ".join(f"{int(v):,}" for v in sorted(set(sub["n_real"].dropna()))),
                "note": "; ".join(sorted({str(v) for v in sub["note"].dropna()})[:3]),
            })
    return {
        "suites": suites,
        "description": description,
        "protocol_text": _distinct([m.get("suite_protocol") for m in data.metas if m.get("suite_protocol")]),
        "suite_yaml": meta.get("suite_yaml"),
        "stores": [str(p) for p in data.paths],
        "created": _utc(meta.get("created_at")),
        "ran": (f"{_utc(started.min())} – {_utc(finished.max())}" if len(started) and len(finished) else None),
        "versions": _distinct([m.get("ganbench_version") for m in data.metas if m.get("ganbench_version")]),
        "hardware": hardware,
        "plugins": plugins,
        "budgets": [_budget_text(b) for b in _distinct([c.get("budget") for c in configs if c.get("budget")])],
        "batch_sizes": _distinct([c.get("batch_size") for c in configs if c.get("batch_size")]),
        "evals": [_eval_text(e) for e in _distinct([c.get("eval") for c in configs if c.get("eval")])],
        "metric_protocol": protocol,
        "counts": runs["status"].value_counts().to_dict() if not runs.empty else {},
        "seeds": sorted({int(s) for s in runs["seed"]}) if not runs.empty else [],
        "metric_policy": metric_policy(meta.get("metric_policy")),
        "skipped_pairs": skipped_pairs(data.metas),
    }


def metric_policy(policy: Any) -> dict[str, Any] | None:
    """Which metric families the suite's runs could compute and why (``ganbench run`` records it
    in the store's meta): listed, skipped, run by default, or third-party and not asked for."""
    if not isinstance(policy, dict) or not isinstance(policy.get("families"), dict):
        return None
    listed, skipped = policy.get("listed"), policy.get("skipped") or []
    if listed is not None:
        summary = f"The suite lists its metric families ({', '.join(map(str, listed)) or 'none'}); only those ran."
    else:
        summary = ("The suite lists no metric families: every built-in and first-party family that applies ran "
                   "(a dataset with default metrics ran those only); installed third-party families run only when "
                   "a suite lists them in `metrics:`.")
    if skipped:
        summary += f" Opted out (skip_metrics): {', '.join(map(str, skipped))}."
    defaults = policy.get("dataset_defaults") or {}
    if isinstance(defaults, dict) and defaults:
        summary += " Dataset defaults: " + "; ".join(f"{d}: {', '.join(map(str, m))}" for d, m in defaults.items()) + "."
    rows = [{"name": str(name), "provider": str(f.get("provider", "")), "why": str(f.get("why", ""))}
            for name, f in sorted(policy["families"].items()) if isinstance(f, dict)]
    return {"summary": summary, "rows": rows}


# -- leaderboards ------------------------------------------------------------------------------
def leaderboards(summary: pd.DataFrame, runs: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """Per dataset: rows = model × pack, columns = metrics (mean ± std over seeds), best marked,
    gaps within seed noise flagged. ``summary`` comes from :func:`aggregate.add_noise`; with
    ``runs``, models whose runs failed or are unfinished get a row saying so instead of vanishing."""
    tables = []
    s = summary[summary["name"].map(is_leaderboard_metric).astype(bool)]
    unfinished: dict[tuple, dict[str, int]] = {}
    if runs is not None and not runs.empty:
        for (d, lbl, p, st), grp in runs[runs["status"] != "done"].groupby(["dataset_label", "label", "pack", "status"]):
            unfinished.setdefault((d, lbl, int(p)), {})[st] = len(grp)
    datasets = sorted(set(s["dataset_label"]) | {k[0] for k in unfinished})
    for dataset in datasets:
        part = s[s["dataset_label"] == dataset]
        names = metric_order(part["name"].unique())
        headers = []
        for name in names:
            col = part[part["name"] == name]
            def first(c: str, col: pd.DataFrame = col) -> Any:
                return next((v for v in col[c] if not _is_missing(v)), None)

            note = first("note") or ""
            headers.append({
                "name": name,
                "arrow": ARROW.get(first("direction"), ""),
                "sub": first("extractor") or (note if len(note) <= 16 else ""),
                "note": note,
            })
        groups = {(str(lbl), int(p)): grp for (lbl, p), grp in part.groupby(["label", "pack"], sort=True)}
        for d, lbl, p in unfinished:
            if d == dataset:
                groups.setdefault((lbl, p), part.iloc[0:0])
        rows, noisy, unknown = [], 0, 0
        for (label, pack) in sorted(groups):
            grp = groups[(label, pack)]
            by_name = {r["name"]: r for _, r in grp.iterrows()}
            cells = []
            for name in names:
                r = by_name.get(name)
                if r is None:
                    cells.append({"text": "—", "sort": "", "cls": "", "title": "", "ci": ""})
                    continue
                verdict = r.get("verdict", "")
                title = f"n={int(r['n'])} seeds"
                ci = t_interval(float(r["mean"]), float(r["std"]), int(r["n"])) if not _is_missing(r["mean"]) else None
                if ci is not None:
                    title += f"; 95 % CI of the mean {fmt_value(ci[0], name)} to {fmt_value(ci[1], name)}"
                if verdict == "noise":
                    noisy += 1
                    title += (f"; cannot be told apart from the best at these seeds (Welch p={r['p_best']:.2f}): "
                              "not evidence that they are equal")
                elif verdict == "significant":
                    title += f"; worse than the best (Welch p={r['p_best']:.3f})"
                elif verdict == "unknown":
                    unknown += 1
                    title += "; too few seeds to test against the best"
                degenerate = is_degenerate(name, r["mean"])
                if degenerate:
                    title += ("; exactly 0: the generated and real features are identical or constant (a broken "
                              "extractor, or samples copied from the data), not a perfect model; never ranked best")
                cells.append({
                    "text": ("⚠ " if degenerate else "") + fmt_mean_std(r["mean"], r["std"], name, int(r["n"])),
                    "ci": "" if ci is None else f"[{fmt_value(ci[0], name)}, {fmt_value(ci[1], name)}]",
                    "sort": "" if _is_missing(r["mean"]) else repr(float(r["mean"])),
                    "cls": "degenerate" if degenerate else {"best": "best", "noise": "noise"}.get(verdict, ""),
                    "title": title,
                })
            other = unfinished.get((dataset, label, pack), {})
            rows.append({"label": label, "pack": pack, "n": int(grp["n"].max()) if len(grp) else 0,
                         "unfinished": ", ".join(f"{v} {k}" for k, v in sorted(other.items())), "cells": cells})
        tables.append({"dataset": dataset, "headers": headers, "rows": rows, "noisy": noisy,
                       "unknown": unknown, "alpha": ALPHA, "spread": SPREAD_STD, "mdd": _detectable(part, names)})
    return tables


def is_degenerate(name: str, mean: Any) -> bool:
    from ganbench.report.comparability import is_degenerate as degenerate

    return degenerate(name, None if _is_missing(mean) else mean)


def _detectable(part: pd.DataFrame, names: list[str]) -> list[dict[str, str]]:
    """Per metric column, the smallest difference between two rows its seeds would detect (two-sided
    t test, α = 0.05, 80 % power) at the column's typical seed count and pooled seed std: a gap below
    it marked "cannot tell" is just that, not equality."""
    out = []
    for name in names:
        col = part[(part["name"] == name) & (part["n"] >= 2)]
        if col.empty:
            continue
        n = int(col["n"].median())
        sd = float(np.sqrt(np.average(col["std"] ** 2, weights=col["n"] - 1)))
        mdd = min_detectable_difference(sd, n)
        if mdd is not None:
            out.append({"name": name, "text": fmt_value(mdd, name), "n": str(n)})
    return out


# -- PacGAN ablation ---------------------------------------------------------------------------
def _cell(text: str = "—", *, best: bool = False, title: str = "") -> dict[str, Any]:
    """One ablation cell. Every cell has every key the template reads (it renders with
    StrictUndefined), so an empty cell -- a model never run on a dataset -- is just a dash."""
    return {"text": text, "best": best, "title": title}


def ablation(summary: pd.DataFrame) -> dict[str, Any] | None:
    """PacGAN's table shape: rows model × pack, column groups per dataset (modes, HQ share or
    KL), mean ± standard error over seeds. Only when some model was run at several packs."""
    s = summary[summary["name"].isin(ABLATION_METRICS)]
    if s.empty or s.groupby(["dataset_label", "label"])["pack"].nunique().max() < 2:
        return None
    datasets = sorted(s["dataset_label"].unique())
    groups = []
    for d in datasets:
        part = s[s["dataset_label"] == d]
        names = [n for n in ABLATION_METRICS if n in set(part["name"])]
        # the provider's name picks the paper's rows; the label is only what the suite calls it
        providers = sorted({str(x) for x in part["dataset"].dropna()}) if "dataset" in part else []
        groups.append({"dataset": d, "provider": providers[0] if len(providers) == 1 else d, "names": names})
    rows = []
    for (label, pack), grp in s.groupby(["label", "pack"], sort=True):
        cells = []
        for g in groups:
            for name in g["names"]:
                hit = grp[(grp["dataset_label"] == g["dataset"]) & (grp["name"] == name)]
                if hit.empty:
                    cells.append(_cell())
                else:
                    r = hit.iloc[0]
                    cells.append(_cell(fmt_mean_std(r["mean"], r["sem"], name, int(r["n"])), best=bool(r.get("best", False)),
                                       title=f"n={int(r['n'])} seeds, ± standard error"))
        # the model's label as the suite gives it (never upper-cased and prefixed: "PacUNROLLED2")
        name = str(label) if int(pack) == 1 else f"{label}, pack {int(pack)}"
        rows.append({"label": label, "pack": int(pack), "name": name, "cells": cells})
    return {"groups": groups, "rows": rows, "paper": _paper_rows(groups), "spread": SPREAD_SEM}


# PacGAN (Lin et al. 2018) Table 1 (MoG, GAN; HQ as a share, not a percent) and Table 2 (stacked
# MNIST, DCGAN), 10 trials each, as printed there (±), at the papers' full budgets. Shown beside our
# numbers when the datasets match.
PACGAN_REFERENCE: dict[str, dict[int, dict[str, tuple[float, float]]]] = {
    "mog-ring8": {
        1: {"modes": (6.3, .5), "hq_share": (.982, .002), "reverse_kl": (.45, .09)},
        2: {"modes": (7.9, .1), "hq_share": (.956, .020), "reverse_kl": (.07, .03)},
        3: {"modes": (7.8, .1), "hq_share": (.977, .003), "reverse_kl": (.10, .02)},
        4: {"modes": (7.8, .1), "hq_share": (.959, .014), "reverse_kl": (.07, .02)},
    },
    "mog-grid25": {
        1: {"modes": (17.3, .8), "hq_share": (.948, .007), "reverse_kl": (.70, .07)},
        2: {"modes": (23.8, .7), "hq_share": (.913, .008), "reverse_kl": (.13, .04)},
        3: {"modes": (24.6, .4), "hq_share": (.942, .004), "reverse_kl": (.06, .02)},
        4: {"modes": (24.8, .2), "hq_share": (.936, .006), "reverse_kl": (.04, .01)},
    },
    "stacked-mnist": {
        1: {"modes": (78.9, 6.46), "kl": (4.50, .127)},
        2: {"modes": (1000.0, 0.0), "kl": (.06, .003)},
        3: {"modes": (1000.0, 0.0), "kl": (.06, .003)},
        4: {"modes": (1000.0, 0.0), "kl": (.07, .005)},
    },
}


def _paper_rows(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not any(g["provider"] in PACGAN_REFERENCE for g in groups):
        return []
    rows = []
    for pack in (1, 2, 3, 4):
        cells = []
        for g in groups:
            ref = PACGAN_REFERENCE.get(g["provider"], {}).get(pack, {})
            for name in g["names"]:
                if name not in ref:
                    cells.append(_cell(""))  # the paper has no number for this dataset or metric
                    continue
                m, se = ref[name]
                cells.append(_cell(fmt_mean_std(m, se, name), title="PacGAN paper"))
        rows.append({"name": f"PacGAN paper, pack {pack}", "pack": pack, "cells": cells})
    return rows


def packed_any(runs: pd.DataFrame) -> bool:
    return bool(not runs.empty and (runs["pack"] != 1).any())


def palette(runs: pd.DataFrame, packed: bool) -> dict[str, tuple]:
    keys = sorted({(str(lbl), int(p)) for lbl, p in zip(runs["label"], runs["pack"])}) if not runs.empty else []
    return plots.colors_for([group_key(lbl, p, packed) for lbl, p in keys])

