"""Published results beside ours, each with a verdict.

A suite may carry ``references:``: tables of a paper (PacGAN's Tables 1–3, StudioGAN's and
Mimicry's CIFAR-10 FIDs), each row naming the dataset, model and pack size it corresponds to in the
suite and giving, per metric, the paper's mean and ± (with the kind of ± and the number of trials).
The report puts every reference row beside ours and ``ganbench check --references`` gates on them.

The verdict of one cell compares the two samples, ours (the run's seeds) and the paper's (its mean,
± and n), with Welch's unequal-variance t test (scipy's ``ttest_ind_from_stats``) at
``ALPHA``: *consistent* when the difference is within noise, else *better* or *worse* in the
metric's direction. A published number without ± (StudioGAN's FIDs) is compared with our seeds
by a one-sample t test: is it within our seed noise? The verdict is *budget differs* whenever our
runs did not train for the paper's budget (a reduced-budget suite is not evidence against a paper),
*budget unknown* when the reference does not say its budget, and *no spread* with a single seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

ALPHA = 0.05
SpreadKind = Literal["sem", "std", "ci95", "none"]
SPREAD_TEXT = {"sem": "± standard error", "std": "± std", "ci95": "± 95 % CI half-width", "none": "no ±"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReferenceBudget(_Strict):
    """The paper's training budget in ganbench's units (exactly one)."""

    steps: int | None = Field(None, gt=0)
    kimg: float | None = Field(None, gt=0)
    seconds: float | None = Field(None, gt=0)

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.model_dump().items() if v is not None}


MetricCell = float | list[float]


class ReferenceRow(_Strict):
    row: str = Field(description="the paper's name for the row, e.g. PacGAN2")
    dataset: str = Field(description="the suite's dataset (name or label) it corresponds to")
    model: str = Field(description="the suite's model label (or model name) it corresponds to")
    pack: int = Field(1, ge=1)
    metrics: dict[str, MetricCell] = Field(description="metric -> mean, or [mean, ±] in the table's spread kind")
    n: int | None = Field(None, ge=1, description="trials behind this row, if not the table's")
    budget: ReferenceBudget | None = Field(None, description="this row's budget, if not the table's")

    @field_validator("metrics")
    @classmethod
    def _cells(cls, v: dict[str, MetricCell]) -> dict[str, MetricCell]:
        if not v:
            raise ValueError("give at least one metric")
        for name, cell in v.items():
            vals = cell if isinstance(cell, list) else [cell]
            if len(vals) not in (1, 2) or not all(isinstance(x, (int, float)) and math.isfinite(x) for x in vals):
                raise ValueError(f"{name}: expected a number or [mean, ±], got {cell!r}")
            if len(vals) == 2 and vals[1] < 0:
                raise ValueError(f"{name}: ± must be >= 0, got {vals[1]}")
        return v


class ReferenceTable(_Strict):
    paper: str
    table: str
    spread_kind: SpreadKind = Field("sem", description="what the rows' ± is")
    n: int | None = Field(None, ge=1, description="trials per row (seeds) in the paper")
    budget: ReferenceBudget | None = Field(None, description="the paper's training budget in ganbench units")
    note: str = ""
    rows: list[ReferenceRow] = Field(min_length=1)


@dataclass(frozen=True)
class ReferenceValue:
    """One published number: a (paper, table, row, metric) cell."""

    paper: str
    table: str
    row: str
    dataset: str
    model: str
    pack: int
    metric: str
    mean: float
    spread: float | None
    spread_kind: str
    n: int | None
    budget: dict[str, float] | None
    note: str = ""


def flatten(tables: list[ReferenceTable]) -> list[ReferenceValue]:
    out = []
    for t in tables:
        for r in t.rows:
            budget = (r.budget or t.budget)
            for metric, cell in r.metrics.items():
                vals = cell if isinstance(cell, list) else [cell]
                out.append(ReferenceValue(
                    t.paper, t.table, r.row, r.dataset, r.model, r.pack, metric, float(vals[0]),
                    float(vals[1]) if len(vals) == 2 else None, t.spread_kind, r.n or t.n,
                    budget.as_dict() if budget else None, t.note,
                ))
    return out


def parse_references(raw: Any, where: str = "references") -> list[ReferenceTable]:
    """Validate a suite's ``references:`` value (a list of tables); errors name the field."""
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(list[ReferenceTable]).validate_python(raw or [])
    except ValidationError as exc:
        e = exc.errors()[0]
        loc = ".".join(str(p) for p in e["loc"])
        raise ValueError(f"{where}[{loc}]: {e['msg']}") from None


def spread_to_sd(spread: float | None, kind: str, n: int | None) -> float | None:
    """The standard deviation of the trials behind a published ±."""
    if spread is None or kind == "none":
        return None
    if kind == "std":
        return spread
    if n is None:
        return None
    if kind == "sem":
        return spread * math.sqrt(n)
    if kind == "ci95":
        from scipy.stats import t

        return spread / float(t.ppf(0.975, n - 1)) * math.sqrt(n) if n > 1 else None
    raise ValueError(f"unknown spread kind {kind!r}")


def ours_spread(values: np.ndarray, kind: str) -> float | None:
    """Our seeds' spread in the paper's kind, so the two columns read alike."""
    n = len(values)
    if n < 2:
        return None
    sd = float(np.std(values, ddof=1))
    if kind == "std":
        return sd
    if kind == "ci95":
        from scipy.stats import t

        return float(t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return sd / math.sqrt(n)  # sem (and "none": show the standard error)


@dataclass(frozen=True)
class Verdict:
    kind: str  # consistent | better | worse | budget differs | no spread | no runs
    p: float | None
    ours_mean: float | None
    ours_spread: float | None
    ours_n: int

    @property
    def gating(self) -> bool:
        """A regression against the paper: worse beyond noise at the paper's budget."""
        return self.kind == "worse"


def verdict(ref: ReferenceValue, values: np.ndarray, direction: str | None,
            our_budget: dict[str, float] | None, alpha: float = ALPHA) -> Verdict:
    """Compare our seeds' final values of one metric with one published cell."""
    values = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    n = len(values)
    if n == 0:
        return Verdict("no runs", None, None, None, 0)
    mean = float(values.mean())
    spread = ours_spread(values, ref.spread_kind)
    p = _welch_p(ref, values)
    if ref.budget is None:
        return Verdict("budget unknown", p, mean, spread, n)
    if our_budget is None or not _same_budget(ref.budget, our_budget):
        return Verdict("budget differs", p, mean, spread, n)
    if p is None:
        return Verdict("no spread", None, mean, spread, n)
    if p >= alpha or direction not in ("higher", "lower"):
        return Verdict("consistent" if p >= alpha else "differs", p, mean, spread, n)
    better = mean > ref.mean if direction == "higher" else mean < ref.mean
    return Verdict("better" if better else "worse", p, mean, spread, n)


def _welch_p(ref: ReferenceValue, values: np.ndarray) -> float | None:
    from scipy.stats import ttest_1samp, ttest_ind_from_stats

    sd_ref = spread_to_sd(ref.spread, ref.spread_kind, ref.n)
    n = len(values)
    if n < 2:
        return None
    sd = float(np.std(values, ddof=1))
    if sd_ref is None or ref.n is None:
        # a single published number (StudioGAN's FIDs): is it within our seeds' noise? (one-sample t)
        if sd == 0:
            return 1.0 if math.isclose(float(values.mean()), ref.mean, rel_tol=1e-9, abs_tol=1e-12) else 0.0
        return float(ttest_1samp(values, ref.mean).pvalue)
    if sd == 0 and sd_ref == 0:  # both exact: equal or not, no noise to hide in
        return 1.0 if math.isclose(float(values.mean()), ref.mean, rel_tol=1e-9, abs_tol=1e-12) else 0.0
    n_ref = max(ref.n, 2)
    return float(ttest_ind_from_stats(float(values.mean()), sd, n, ref.mean, sd_ref, n_ref, equal_var=False).pvalue)


def _same_budget(a: dict[str, float], b: dict[str, float]) -> bool:
    if set(a) != set(b):
        return False
    return all(math.isclose(a[k], b[k], rel_tol=1e-6) for k in a)


@dataclass(frozen=True)
class Comparison:
    ref: ReferenceValue
    verdict: Verdict
    our_budget: dict[str, float] | None


def tables_from_metas(metas: list[dict[str, Any]]) -> list[ReferenceTable]:
    """The ``references:`` of every store's suite (read from the stored suite YAML), deduplicated."""
    import yaml

    seen: set[str] = set()
    out: list[ReferenceTable] = []
    for meta in metas:
        text = meta.get("suite_yaml")
        if not isinstance(text, str):
            continue
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if not isinstance(doc, dict) or not doc.get("references"):
            continue
        try:
            tables = parse_references(doc["references"])
        except ValueError:
            continue  # the suite loader already refused bad references when it ran
        for t in tables:
            key = t.model_dump_json()
            if key not in seen:
                seen.add(key)
                out.append(t)
    return out


def compare_store(runs: Any, metrics: Any, tables: list[ReferenceTable]) -> list[Comparison]:
    """Every published cell against our finished runs of the same dataset, model and pack."""
    import json

    out = []
    if not tables:
        return out
    done = runs[runs["status"] == "done"] if len(runs) else runs
    final = metrics[metrics["final"] == 1] if len(metrics) else metrics
    for ref in flatten(tables):
        sel = done[
            ((done["dataset"] == ref.dataset) | (done["dataset_label"] == ref.dataset))
            & ((done["label"] == ref.model) | (done["model"] == ref.model))
            & (done["pack"] == ref.pack)
        ] if len(done) else done
        rows = final[final["run_id"].isin(set(sel["run_id"])) & (final["name"] == ref.metric)] if len(sel) else final[:0]
        budgets = {json.dumps(_budget_of(c), sort_keys=True) for c in sel["config"]} if len(sel) else set()
        our_budget = json.loads(next(iter(budgets))) if len(budgets) == 1 else None
        direction = rows["direction"].dropna().iloc[0] if len(rows) and rows["direction"].notna().any() else None
        v = verdict(ref, rows["value"].to_numpy(dtype=float) if len(rows) else np.array([]), direction, our_budget)
        if len(budgets) > 1 and v.kind not in ("no runs",):  # seeds with different budgets: not the paper's
            v = Verdict("budget differs", v.p, v.ours_mean, v.ours_spread, v.ours_n)
        out.append(Comparison(ref, v, our_budget))
    return out


def _budget_of(config: Any) -> dict[str, float]:
    b = (config or {}).get("budget") or {}
    return {k: float(v) for k, v in b.items() if v is not None}
