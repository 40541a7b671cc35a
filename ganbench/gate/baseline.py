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
from ganbench.record.store import Store, resolve_store_path
from ganbench.report.aggregate import final_metrics
from ganbench.util.atomic import write_text_atomic

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


MAX_BYTES = 64 * 2**20
"""Largest baseline file read (committed baselines are a few KiB)."""


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {int: "an integer", float: "a number", str: "a string", list: "a list", dict: "an object"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def _is(value: Any, kind: type | tuple[type, ...]) -> bool:
    """isinstance, except that JSON's true/false are never numbers."""
    return isinstance(value, kind) and not (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)))


def _need(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise BaselineError(f"{where}: missing field {key!r}")
    if not _is(obj[key], kind):
        raise BaselineError(f"{where}.{key}: expected {_type_name(kind)}, got {json.dumps(obj[key])[:40]}")
    return obj[key]


def _optional(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, default: Any = None) -> Any:
    value = obj.get(key)
    if value is None:
        return default
    if not _is(value, kind):
        raise BaselineError(f"{where}.{key}: expected {_type_name(kind)} or null, got {json.dumps(value)[:40]}")
    return value


def _finite(value: Any, where: str) -> Any:
    """A baseline number must be finite: ``Infinity``, ``NaN`` and ``1e400`` (valid JSON, read as
    inf) would make every tolerance infinite or every comparison false, and ``check`` would pass
    a fully regressed store."""
    if value is not None and not math.isfinite(float(value)):
        raise BaselineError(f"{where}: {value!r} is not a finite number; a baseline holds finite numbers only")
    return value


def _items(values: list[Any], kind: type | tuple[type, ...], where: str, nullable: bool = False) -> list[Any]:
    for i, v in enumerate(values):
        if not (_is(v, kind) or (nullable and v is None)):
            raise BaselineError(f"{where}[{i}]: expected {_type_name(kind)}{' or null' if nullable else ''}, "
                                f"got {json.dumps(v)[:40]}")
    return values


def _read_json(p: Path) -> Any:
    try:
        if p.stat().st_size > MAX_BYTES:
            raise BaselineError(f"{p}: larger than {MAX_BYTES // 2**20} MiB; not a baseline")
        return json.loads(p.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{p}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{p}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise BaselineError(f"{p}: JSON nested too deeply; not a baseline") from None
    except OSError as exc:
        raise BaselineError(f"{p}: cannot read: {exc.strerror or exc}") from None


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate a baseline file; every error names the file and the field.

    A baseline that could never fail a check (no groups, a group without metrics, no suite hash)
    is refused: a CI gate that cannot fail is worse than none.
    """
    p = Path(path)
    if not p.is_file():
        raise BaselineError(f"{p}: baseline file not found (create one with `ganbench baseline STORE --out {p}`)")
    raw = _read_json(p)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BaselineError(f"{p}: not a ganbench baseline (field 'format' must be {FORMAT!r})")
    version = raw.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise BaselineError(f"{p}: format_version {version!r} is not supported (this ganbench reads {FORMAT_VERSION})")
    group_list = _need(raw, "groups", list, str(p))
    if not group_list:
        raise BaselineError(f"{p}: groups: no groups; a baseline with nothing in it cannot fail a check")
    groups: dict[GroupKey, GroupStats] = {}
    for i, g in enumerate(group_list):
        where = f"{p}: groups[{i}]"
        if not isinstance(g, dict):
            raise BaselineError(f"{where}: expected an object")
        metric_map = _need(g, "metrics", dict, where)
        if not metric_map:
            raise BaselineError(f"{where}.metrics: no metrics; a group with nothing to compare cannot fail a check")
        metrics = {}
        for name, m in metric_map.items():
            mw = f"{where}.metrics.{name}"
            if not isinstance(m, dict):
                raise BaselineError(f"{mw}: expected an object")
            mean = _finite(_optional(m, "mean", (int, float), mw), f"{mw}.mean")
            values = _items(_optional(m, "values", list, mw, []), (int, float), f"{mw}.values", nullable=True)
            for k, v in enumerate(values):
                _finite(v, f"{mw}.values[{k}]")
            std = _finite(_need(m, "std", (int, float), mw), f"{mw}.std")
            if std < 0:
                raise BaselineError(f"{mw}.std: a standard deviation cannot be negative, got {std!r}")
            n = _need(m, "n", int, mw)
            if n < 1:
                raise BaselineError(f"{mw}.n: needs at least one seed, got {n}")
            metrics[name] = MetricStats(
                mean=None if mean is None else float(mean),
                std=float(std),
                n=int(n),
                direction=_optional(m, "direction", str, mw),
                extractor=_optional(m, "extractor", str, mw),
                values=[None if v is None else float(v) for v in values],
            )
        stats = GroupStats(
            label=str(_need(g, "label", str, where)),
            dataset_label=str(_need(g, "dataset_label", str, where)),
            pack=int(_need(g, "pack", int, where)),
            model=str(_optional(g, "model", str, where, "")),
            model_version=_optional(g, "model_version", str, where),
            plugin=_optional(g, "plugin", str, where),
            seeds=[int(s) for s in _items(_need(g, "seeds", list, where), int, f"{where}.seeds")],
            config=dict(_optional(g, "config", dict, where, {})),
            metrics=metrics,
        )
        if stats.key in groups:
            raise BaselineError(f"{where}: duplicate group {stats.name}")
        groups[stats.key] = stats
    suite_hash_value = raw.get("suite_hash")
    if not isinstance(suite_hash_value, str) or not suite_hash_value:
        raise BaselineError(f"{p}: suite_hash: missing or empty; a baseline must name the suite it measures "
                            "(write it with `ganbench baseline`)")
    return Baseline(
        suite=str(_optional(raw, "suite", str, str(p), "")),
        suite_hash=suite_hash_value,
        groups=groups,
        hardware=raw.get("hardware"),
        plugins=dict(_optional(raw, "plugins", dict, str(p), {})),
        ganbench_version=_optional(raw, "ganbench_version", str, str(p)),
        created_at=_optional(raw, "created_at", str, str(p)),
        source=_optional(raw, "source", str, str(p)),
    )
