"""Baseline files for ``ganbench check``: the numbers a later run of the same suite is held to.

A baseline is a small JSON file committed beside the code (``baselines/NAME.json``). Per
(model label, dataset label, pack) group it keeps, for every final metric, the mean, the standard
deviation over seeds and the seed count, plus what is needed to tell whether a new store is
comparable at all: the suite hash, each group's run config (minus the seed), the plugin versions
and the hardware the numbers came from.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ganbench import __version__
from ganbench.atomic import write_text_atomic
from ganbench.report.aggregate import final_metrics
from ganbench.store import Store, resolve_store_path

FORMAT = "ganbench-baseline"
FORMAT_VERSION = 1
CONFIG_IGNORED = frozenset({"seed"})
"""Run-config keys that differ between the seeds of one group and so never break comparability."""


class BaselineError(ValueError):
    """A baseline file or store that cannot be used; the message names the file and the field."""


GroupKey = tuple[str, str, int]  # (model label, dataset label, pack)


@dataclass
class MetricStats:
    mean: float | None
    std: float
    n: int
    direction: str | None = None
    extractor: str | None = None
    values: list[float | None] = field(default_factory=list)


@dataclass
class GroupStats:
    """One (model, dataset, pack) cell: its seeds, its config and its metric statistics."""

    label: str
    dataset_label: str
    pack: int
    model: str
    model_version: str | None
    plugin: str | None
    seeds: list[int]
    config: dict[str, Any]
    metrics: dict[str, MetricStats]

    @property
    def key(self) -> GroupKey:
        return (self.label, self.dataset_label, self.pack)

    @property
    def name(self) -> str:
        return f"{self.label} / {self.dataset_label} / pack {self.pack}"


@dataclass
class Baseline:
    suite: str
    suite_hash: str | None
    groups: dict[GroupKey, GroupStats]
    hardware: Any = None
    plugins: dict[str, Any] = field(default_factory=dict)
    ganbench_version: str | None = None
    created_at: str | None = None
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "suite": self.suite,
            "suite_hash": self.suite_hash,
            "ganbench_version": self.ganbench_version,
            "created_at": self.created_at,
            "source": self.source,
            "hardware": self.hardware,
            "plugins": self.plugins,
            "groups": [
                {
                    "label": g.label,
                    "dataset_label": g.dataset_label,
                    "pack": g.pack,
                    "model": g.model,
                    "model_version": g.model_version,
                    "plugin": g.plugin,
                    "seeds": g.seeds,
                    "config": g.config,
                    "metrics": {
                        name: {
                            "mean": m.mean, "std": m.std, "n": m.n, "direction": m.direction,
                            "extractor": m.extractor, "values": m.values,
                        }
                        for name, m in sorted(g.metrics.items())
                    },
                }
                for g in sorted(self.groups.values(), key=lambda g: g.key)
            ],
        }


def _clean(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _str_or_none(v: Any) -> str | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def comparable_config(config: dict[str, Any]) -> dict[str, Any]:
    """The part of a run's config that must match for numbers to be comparable."""
    return {k: v for k, v in sorted(config.items()) if k not in CONFIG_IGNORED}


def stats_from_store(store: Store) -> tuple[dict[str, Any], pd.DataFrame, dict[GroupKey, GroupStats]]:
    """Meta, all runs, and per-group statistics over the *finished* runs of a store."""
    meta = store.meta()
    runs = store.runs()
    final = final_metrics(runs, store.metrics())
    groups: dict[GroupKey, GroupStats] = {}
    done = runs[runs["status"] == "done"]
    for (label, dataset_label, pack), grp in done.groupby(["label", "dataset_label", "pack"], sort=True):
        first = grp.sort_values("seed").iloc[0]
        key = (str(label), str(dataset_label), int(pack))
        part = final[(final["label"] == label) & (final["dataset_label"] == dataset_label) & (final["pack"] == pack)]
        metrics: dict[str, MetricStats] = {}
        for name, m in part.groupby("name", sort=True):
            if str(name).endswith(".error"):
                continue
            m = m.sort_values("seed")
            vals = [_clean(v) for v in m["value"]]
            finite = [v for v in vals if v is not None]
            direction = m["direction"].dropna()
            extractor = m["extractor"].dropna()
            metrics[str(name)] = MetricStats(
                mean=float(np.mean(finite)) if finite else None,
                std=float(np.std(finite, ddof=1)) if len(finite) > 1 else 0.0,
                n=len(finite),
                direction=str(direction.iloc[0]) if len(direction) else None,
                extractor=str(extractor.iloc[0]) if len(extractor) else None,
                values=vals,
            )
        groups[key] = GroupStats(
            label=key[0], dataset_label=key[1], pack=key[2], model=str(first["model"]),
            model_version=_str_or_none(first.get("model_version")),
            plugin=_plugin_text(first),
            seeds=sorted(int(s) for s in grp["seed"]),
            config=comparable_config(first["config"] or {}),
            metrics=metrics,
        )
    return meta, runs, groups


def _plugin_text(run: pd.Series) -> str | None:
    dist = _str_or_none(run.get("plugin_dist")) or _str_or_none(run.get("plugin"))
    return dist


def build_baseline(store_path: str | Path) -> Baseline:
    """A baseline from a finished store. Refuses a store with runs that did not finish, because a
    baseline missing a seed would make every later check on that cell not comparable."""
    path = resolve_store_path(store_path)
    with Store.open(path, create=False) as store:
        meta, runs, groups = stats_from_store(store)
    if runs.empty:
        raise BaselineError(f"{path}: the store has no runs")
    unfinished = runs[runs["status"] != "done"]
    if not unfinished.empty:
        ids = ", ".join(f"{r.run_id} ({r.status})" for r in unfinished.itertuples())
        raise BaselineError(f"{path}: a baseline needs every run finished; not done: {ids}")
    plugins = {g.model: {"version": g.model_version, "distribution": g.plugin} for g in groups.values()}
    return Baseline(
        suite=str(meta.get("suite", "")),
        suite_hash=meta.get("suite_hash"),
        groups=groups,
        hardware=meta.get("hardware"),
        plugins=dict(sorted(plugins.items())),
        ganbench_version=__version__,
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        source=str(meta.get("suite_file", "")) or None,
    )


def save_baseline(baseline: Baseline, out: str | Path) -> Path:
    """Written to a temp file and renamed, so a reader never sees half a baseline."""
    text = json.dumps(baseline.to_json(), indent=2, sort_keys=False, allow_nan=False) + "\n"
    return write_text_atomic(out, text)


def _need(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise BaselineError(f"{where}: missing field {key!r}")
    if not isinstance(obj[key], kind):
        raise BaselineError(f"{where}.{key}: expected {getattr(kind, '__name__', kind)}, got {type(obj[key]).__name__}")
    return obj[key]


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate a baseline file; every error names the file and the field."""
    p = Path(path)
    if not p.is_file():
        raise BaselineError(f"{p}: baseline file not found (create one with `ganbench baseline STORE --out {p}`)")
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{p}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BaselineError(f"{p}: not a ganbench baseline (field 'format' must be {FORMAT!r})")
    version = raw.get("format_version")
    if version != FORMAT_VERSION:
        raise BaselineError(f"{p}: format_version {version!r} is not supported (this ganbench reads {FORMAT_VERSION})")
    groups: dict[GroupKey, GroupStats] = {}
    for i, g in enumerate(_need(raw, "groups", list, str(p))):
        where = f"{p}: groups[{i}]"
        if not isinstance(g, dict):
            raise BaselineError(f"{where}: expected an object")
        metrics = {}
        for name, m in _need(g, "metrics", dict, where).items():
            mw = f"{where}.metrics.{name}"
            if not isinstance(m, dict):
                raise BaselineError(f"{mw}: expected an object")
            mean = m.get("mean")
            if mean is not None and not isinstance(mean, (int, float)):
                raise BaselineError(f"{mw}.mean: expected a number or null")
            metrics[name] = MetricStats(
                mean=None if mean is None else float(mean),
                std=float(_need(m, "std", (int, float), mw)),
                n=int(_need(m, "n", int, mw)),
                direction=m.get("direction"),
                extractor=m.get("extractor"),
                values=list(m.get("values", [])),
            )
        stats = GroupStats(
            label=str(_need(g, "label", str, where)),
            dataset_label=str(_need(g, "dataset_label", str, where)),
            pack=int(_need(g, "pack", int, where)),
            model=str(g.get("model", "")),
            model_version=g.get("model_version"),
            plugin=g.get("plugin"),
            seeds=[int(s) for s in _need(g, "seeds", list, where)],
            config=dict(g.get("config") or {}),
            metrics=metrics,
        )
        if stats.key in groups:
            raise BaselineError(f"{where}: duplicate group {stats.name}")
        groups[stats.key] = stats
    return Baseline(
        suite=str(raw.get("suite", "")),
        suite_hash=raw.get("suite_hash"),
        groups=groups,
        hardware=raw.get("hardware"),
        plugins=dict(raw.get("plugins") or {}),
        ganbench_version=raw.get("ganbench_version"),
        created_at=raw.get("created_at"),
        source=raw.get("source"),
    )
