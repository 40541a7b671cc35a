"""Regression check of a results store against a baseline (``ganbench check``).

A metric *regresses* when its mean over seeds moves in its bad direction (FID up, modes down, ...;
read from the store's ``metrics.direction`` column) by more than a tolerance::

    tolerance = max(k * std of the baseline seeds, floor)

The seed spread is what a rerun on other seeds would move by anyway; the floor keeps a metric
whose seeds happen to agree (std 0, e.g. all 8 of 8 modes) from failing on the smallest wobble.
Floors are absolute (``modes: 1``) or relative to the baseline mean (``"5%"``).

Throughput (``*_per_s``, ``peak_mem_mb``) is not checked by default: on shared CI machines it
moves by 2x with the neighbours' load, so a check on it would fail for reasons unrelated to the
change under test. Ask for it explicitly (``--metrics '*'``); it then gets a wide 50 % floor.

Exit status: 0 no regression, 1 regression, 2 not comparable (different suite or run config,
missing or failed runs, missing metrics). 2 wins over 1: a partial comparison is not a verdict.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ganbench.gate.baseline import Baseline, MetricStats, comparable_config, stats_from_store
from ganbench.plan.suite import CheckConfig, format_validation_error
from ganbench.record.store import Store, resolve_store_path

EXIT_OK, EXIT_REGRESSION, EXIT_NOT_COMPARABLE = 0, 1, 2

DEFAULT_K = 3.0
THROUGHPUT_PATTERNS = ("*_per_s", "peak_mem_mb")
DEFAULT_FLOORS: dict[str, float | str] = {
    "modes": 1.0,            # one mode of a mixture, one of 1000 stacked-MNIST modes would be 1 too
    "hq_share": 0.05,        # five points of high-quality share
    "reverse_kl": 0.1,
    "kl": 0.1,
    "*_per_s": "50%",        # only when asked for: throughput on shared machines is noisy
    "peak_mem_mb": "25%",
}
DEFAULT_FLOOR: float | str = "5%"
"""For any metric without its own floor: 5 % of the baseline mean."""


class CheckError(ValueError):
    """Options that cannot be used (bad floor, bad pattern); the message names the culprit."""


@dataclass
class CheckOptions:
    k: float = DEFAULT_K
    floors: dict[str, float | str] = field(default_factory=dict)
    metrics: list[str] | None = None
    """Metric name patterns to check; None: every metric with a direction except throughput."""

    def floor_spec(self, name: str) -> float | str:
        """The floor for a metric: its own entry, else the first matching pattern, else the default."""
        table = {**DEFAULT_FLOORS, **self.floors}
        if name in table:
            return table[name]
        for pattern, value in table.items():
            if fnmatch.fnmatchcase(name, pattern):
                return value
        return DEFAULT_FLOOR

    def selected(self, name: str) -> bool:
        if self.metrics is None:
            return not any(fnmatch.fnmatchcase(name, p) for p in THROUGHPUT_PATTERNS)
        return any(fnmatch.fnmatchcase(name, p) for p in self.metrics)


def floor_value(spec: float | str, mean: float) -> float:
    """``1`` is absolute; ``"5%"`` is relative to the baseline mean's magnitude."""
    if isinstance(spec, str):
        text = spec.strip()
        if not text.endswith("%"):
            raise CheckError(f"floor {spec!r}: expected a number or a percentage like '5%'")
        try:
            share = float(text[:-1])
        except ValueError:
            raise CheckError(f"floor {spec!r}: expected a number or a percentage like '5%'") from None
        if not math.isfinite(share) or share < 0:
            raise CheckError(f"floor {spec!r}: the percentage must be a finite number >= 0")
        return abs(mean) * share / 100.0
    value = float(spec)
    if not math.isfinite(value) or value < 0:
        raise CheckError(f"floor {spec!r}: must be a finite number >= 0")  # inf would pass any regression
    return value


def parse_floor_arg(text: str) -> tuple[str, float | str]:
    """``NAME=VALUE`` from the command line (``modes=2``, ``fid=10%``)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise CheckError(f"--floor: expected NAME=VALUE (modes=2 or fid=10%), got {text!r}")
    value = value.strip()
    if value.endswith("%"):
        floor_value(value, 1.0)
        return name.strip(), value
    try:
        v = float(value)
    except ValueError:
        raise CheckError(f"--floor {text!r}: value must be a number or a percentage") from None
    if v < 0 or not math.isfinite(v):
        raise CheckError(f"--floor {text!r}: value must be >= 0")
    return name.strip(), v


def suite_check_config(meta: Mapping[str, Any], where: str) -> CheckConfig | None:
    """The ``check:`` section of the suite the store was run from (kept in the store's meta)."""
    text = meta.get("suite_yaml")
    if not isinstance(text, str):
        return None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    section = raw.get("check") if isinstance(raw, dict) else None
    if section is None:
        return None
    try:
        return CheckConfig.model_validate(section)
    except ValidationError as exc:
        raise CheckError(format_validation_error(f"{where} (suite check:)", exc)) from None


def resolve_options(
    suite_cfg: CheckConfig | None,
    *,
    k: float | None = None,
    floors: Mapping[str, float | str] | None = None,
    metrics: list[str] | None = None,
) -> CheckOptions:
    """Defaults, then the suite's ``check:`` section, then the command line."""
    opts = CheckOptions()
    if suite_cfg is not None:
        if suite_cfg.k is not None:
            opts.k = float(suite_cfg.k)
        opts.floors.update(suite_cfg.floors)
        if suite_cfg.metrics is not None:
            opts.metrics = list(suite_cfg.metrics)
    if k is not None:
        if not (k > 0 and math.isfinite(k)):
            raise CheckError(f"--k must be a positive number, got {k}")
        opts.k = float(k)
    if floors:
        opts.floors.update(floors)
    if metrics is not None:
        opts.metrics = list(metrics)
    return opts


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------

STATUSES = ("regressed", "not-comparable", "improved", "ok", "skipped")


@dataclass
class CheckRow:
    """One (group, metric) comparison; ``metric`` is ``*`` for a whole-group problem."""

    group: str
    metric: str
    status: str
    reason: str
    direction: str | None = None
    baseline_mean: float | None = None
    baseline_std: float | None = None
    baseline_n: int | None = None
    current_mean: float | None = None
    current_std: float | None = None
    current_n: int | None = None
    delta: float | None = None
    tolerance: float | None = None


@dataclass
class CheckResult:
    store: str
    baseline: str
    suite: str
    exit_code: int
    rows: list[CheckRow]
    problems: list[str]
    """Suite-level reasons the store is not comparable (exit 2)."""
    notes: list[str]
    """Differences worth knowing that do not change the verdict (hardware, plugin versions)."""
    options: CheckOptions

    @property
    def verdict(self) -> str:
        return {EXIT_OK: "pass", EXIT_REGRESSION: "regression", EXIT_NOT_COMPARABLE: "not comparable"}[self.exit_code]

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for r in self.rows:
            out[r.status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "store": self.store,
            "baseline": self.baseline,
            "suite": self.suite,
            "counts": self.counts(),
            "problems": self.problems,
            "notes": self.notes,
            "options": asdict(self.options),
            "rows": [asdict(r) for r in self.rows],
        }


def compare_metric(group: str, name: str, base: MetricStats, cur: MetricStats | None, opts: CheckOptions) -> CheckRow:
    """The verdict on one metric of one group."""
    row = CheckRow(group, name, "ok", "", base.direction, base.mean, base.std, base.n)
    if cur is not None:
        row.direction = cur.direction or base.direction
        row.current_mean, row.current_std, row.current_n = cur.mean, cur.std, cur.n
    if not opts.selected(name):
        row.status, row.reason = "skipped", "not checked (throughput is noisy on shared machines)" if any(
            fnmatch.fnmatchcase(name, p) for p in THROUGHPUT_PATTERNS) else "not selected by --metrics / check.metrics"
        return row
    if row.direction not in ("higher", "lower"):
        row.status, row.reason = "skipped", "no direction (neither higher nor lower is better)"
        return row
    if base.mean is None:
        row.status, row.reason = "skipped", "the baseline has no value"
        return row
    if cur is None:
        row.status, row.reason = "not-comparable", "metric missing from this store"
        return row
    if cur.mean is None:
        row.status, row.reason = "not-comparable", "metric has no value in this store (did it fail?)"
        return row
    if cur.extractor != base.extractor:
        row.status = "not-comparable"
        row.reason = f"feature extractor differs: baseline {base.extractor}, now {cur.extractor}"
        return row
    row.delta = cur.mean - base.mean
    row.tolerance = max(opts.k * base.std, floor_value(opts.floor_spec(name), base.mean))
    worse = -row.delta if row.direction == "higher" else row.delta
    arrow = "higher is better" if row.direction == "higher" else "lower is better"
    if worse > row.tolerance:
        row.status = "regressed"
        row.reason = f"{'down' if row.direction == 'higher' else 'up'} by {abs(row.delta):.4g} > tolerance {row.tolerance:.4g} ({arrow})"
    elif -worse > row.tolerance:
        row.status = "improved"
        row.reason = f"better by {abs(row.delta):.4g} > tolerance {row.tolerance:.4g}; consider a new baseline"
    else:
        row.reason = f"within tolerance {row.tolerance:.4g}"
    return row


def _config_diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Keys whose values differ, and keys only one side has. The latter are only a note: a newer
    ganbench may record more of a run's config, and that alone must not void every baseline."""
    return sorted(k for k in set(a) & set(b) if a[k] != b[k]), sorted(set(a) ^ set(b))


def compare(store_path: str | Path, baseline: Baseline, baseline_path: str | Path = "", opts: CheckOptions | None = None,
            **cli: Any) -> CheckResult:
    """Compare a store with a baseline. ``opts`` wins; else defaults ← suite ``check:`` ← ``cli``."""
    path = resolve_store_path(store_path)
    with Store.open(path, create=False) as store:
        meta, runs, groups = stats_from_store(store)
    if opts is None:
        opts = resolve_options(suite_check_config(meta, str(path)), **cli)
    problems: list[str] = []
    notes: list[str] = []
    rows: list[CheckRow] = []

    cur_hash = meta.get("suite_hash")
    if baseline.suite_hash and cur_hash != baseline.suite_hash:
        problems.append(
            f"suite differs: baseline is suite {baseline.suite!r} hash {baseline.suite_hash}, "
            f"this store suite {meta.get('suite')!r} hash {cur_hash} (regenerate the baseline if the change is intended)"
        )
    if runs.empty:
        problems.append("the store has no runs")
    for r in runs[runs["status"] != "done"].itertuples() if not runs.empty else []:
        err = f": {r.error}" if isinstance(r.error, str) and r.error else ""
        problems.append(f"run {r.run_id} is {r.status}{err}")

    for key, base in sorted(baseline.groups.items()):
        cur = groups.get(key)
        if cur is None:
            rows.append(CheckRow(base.name, "*", "not-comparable", "no finished run of this group in the store"))
            continue
        diff, one_sided = _config_diff(base.config, comparable_config(cur.config))
        if one_sided:
            notes.append(f"{base.name}: run config keys only in the baseline or only now: {', '.join(one_sided)}")
        if diff:
            rows.append(CheckRow(base.name, "*", "not-comparable", f"run config differs in: {', '.join(diff)}"))
            continue
        missing = sorted(set(base.seeds) - set(cur.seeds))
        extra = sorted(set(cur.seeds) - set(base.seeds))
        if missing or extra:
            why = []
            if missing:
                why.append(f"missing seeds {missing}")
            if extra:
                why.append(f"extra seeds {extra}")
            rows.append(CheckRow(base.name, "*", "not-comparable", "; ".join(why) + f" (baseline has {base.seeds})"))
            continue
        if cur.model_version != base.model_version:
            notes.append(f"{base.name}: model version {base.model_version} in the baseline, {cur.model_version} now")
        for name, bstats in sorted(base.metrics.items()):
            rows.append(compare_metric(base.name, name, bstats, cur.metrics.get(name), opts))
        for name in sorted(set(cur.metrics) - set(base.metrics)):
            notes.append(f"{base.name}: metric {name} is new (not in the baseline)")
    for key in sorted(set(groups) - set(baseline.groups)):
        notes.append(f"{groups[key].name}: not in the baseline (not checked)")
    if baseline.hardware and meta.get("hardware") and _hw_key(baseline.hardware) != _hw_key(meta["hardware"]):
        notes.append(f"hardware differs: baseline {_hw_text(baseline.hardware)}; now {_hw_text(meta['hardware'])}")

    statuses = {r.status for r in rows}
    if problems or "not-comparable" in statuses:
        code = EXIT_NOT_COMPARABLE
    elif "regressed" in statuses:
        code = EXIT_REGRESSION
    else:
        code = EXIT_OK
    return CheckResult(str(path), str(baseline_path), baseline.suite, code, rows, problems, notes, opts)


def _hw_key(hw: Any) -> tuple:
    if not isinstance(hw, dict):
        return (str(hw),)
    return (hw.get("cpu"), hw.get("gpu"), hw.get("torch"), hw.get("device"))


def _hw_text(hw: Any) -> str:
    if not isinstance(hw, dict):
        return str(hw)
    parts = [hw.get("gpu") or hw.get("cpu"), f"torch {hw.get('torch')}" if hw.get("torch") else None]
    return ", ".join(p for p in parts if p)
