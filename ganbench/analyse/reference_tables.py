"""A suite's ``references:``, validated: published tables, their cells, protocols and margins.

The schema half of :mod:`ganbench.analyse.references` (which judges the cells): a suite loader
needs only this part to validate a suite.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ganbench.analyse import stats as gs

ALPHA = gs.ALPHA
ADJUST = "holm"
SpreadKind = Literal["sem", "std", "ci95", "none"]
SPREAD_TEXT = {"sem": "± standard error", "std": "± std", "ci95": "± 95 % CI half-width", "none": "no ±"}

# Equivalence margins when the suite states none: (absolute floor, share of the paper's value).
# The same sizes `ganbench check` treats as a regression (modes 1, HQ share 0.05, reverse KL 0.1,
# 5 % otherwise); every claim the shipped papers make is larger (packing moves ring modes by 1.6
# and reverse KL by 0.38; StudioGAN's neighbouring models differ by > 1 FID).
DEFAULT_MARGINS: dict[str, tuple[float, float]] = {
    "modes": (1.0, 0.05), "hq_share": (0.05, 0.0), "reverse_kl": (0.1, 0.05), "kl": (0.1, 0.05),
    "fid": (0.5, 0.05), "is": (0.1, 0.05),
}
DEFAULT_RELATIVE = 0.05
PROTOCOL_FIELDS = ("extractor", "n_fake", "n_real", "conditional", "checkpoint", "resolution")
PROTOCOL_TEXT = {"budget": "budget", "extractor": "extractor", "n_fake": "generated samples",
                 "n_real": "real samples", "conditional": "conditioning", "checkpoint": "checkpoint",
                 "resolution": "resolution"}
_PCT = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*%\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReferenceBudget(_Strict):
    """The paper's training budget in ganbench's units (exactly one)."""

    steps: int | None = Field(None, gt=0)
    kimg: float | None = Field(None, gt=0)
    seconds: float | None = Field(None, gt=0)

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.model_dump().items() if v is not None}


class ReferenceProtocol(_Strict):
    """How the paper obtained its numbers; each stated field is compared with our runs'."""

    extractor: str | None = Field(None, description="network behind the metric as ganbench names it "
                                  "(inception-v3, ganbench-mnist-cnn), or 'none' for rules on raw samples")
    n_fake: int | None = Field(None, gt=0, description="generated samples scored")
    n_real: int | None = Field(None, gt=0, description="real samples in the metric's reference statistics")
    conditional: bool | None = Field(None, description="class-conditional models")
    checkpoint: Literal["last", "best"] | None = Field(None, description="which checkpoint was scored")
    resolution: int | None = Field(None, gt=0, description="image side in pixels")


MetricCell = float | list[float]
Margin = float | str


def _check_margins(v: dict[str, Margin]) -> dict[str, Margin]:
    for name, m in v.items():
        if isinstance(m, str):
            hit = _PCT.match(m)
            if not hit or float(hit[1]) <= 0:
                raise ValueError(f"{name}: a margin is a number > 0 or a share like '5%', got {m!r}")
        elif not (isinstance(m, (int, float)) and math.isfinite(m) and m > 0):
            raise ValueError(f"{name}: a margin must be > 0, got {m!r}")
    return v


def _check_spreads(v: dict[str, float]) -> dict[str, float]:
    for name, s in v.items():
        if not (isinstance(s, (int, float)) and math.isfinite(s) and s > 0):
            raise ValueError(f"{name}: an assumed spread must be > 0, got {s!r}")
    return v


class ReferenceRow(_Strict):
    row: str = Field(description="the paper's name for the row, e.g. PacGAN2")
    dataset: str = Field(description="the suite's dataset (name or label) it corresponds to")
    model: str = Field(description="the suite's model label (or model name) it corresponds to")
    pack: int = Field(1, ge=1)
    metrics: dict[str, MetricCell] = Field(description="metric -> mean, or [mean, ±] in the table's spread kind")
    n: int | None = Field(None, ge=1, description="trials behind this row, if not the table's")
    budget: ReferenceBudget | None = Field(None, description="this row's budget, if not the table's")
    protocol: ReferenceProtocol | None = Field(None, description="fields of this row's protocol that differ from the table's")
    margins: dict[str, Margin] = Field(default_factory=dict, description="this row's margins, over the table's")
    assumed_spread: dict[str, float] = Field(default_factory=dict, description="this row's assumed spreads")

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

    _margins = field_validator("margins")(_check_margins)
    _spreads = field_validator("assumed_spread")(_check_spreads)


class ReferenceTable(_Strict):
    paper: str
    table: str
    spread_kind: SpreadKind = Field("sem", description="what the rows' ± is")
    n: int | None = Field(None, ge=1, description="trials per row (seeds) in the paper")
    budget: ReferenceBudget | None = Field(None, description="the paper's training budget in ganbench units")
    protocol: ReferenceProtocol | None = Field(None, description="the paper's evaluation protocol")
    margins: dict[str, Margin] = Field(default_factory=dict, description="equivalence margin per metric")
    assumed_spread: dict[str, float] = Field(
        default_factory=dict, description="standard error assumed for a number published without ±")
    note: str = ""
    rows: list[ReferenceRow] = Field(min_length=1)

    _margins = field_validator("margins")(_check_margins)
    _spreads = field_validator("assumed_spread")(_check_spreads)


@dataclass(frozen=True)
class ReferenceValue:
    """One published number: a (paper, table, row, metric) cell with its protocol and margin."""

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
    protocol: dict[str, Any] = field(default_factory=dict)
    margin: float | None = None
    margin_source: str = "default"
    assumed_spread: float | None = None


def resolve_margin(metric: str, paper_mean: float, stated: Margin | None) -> tuple[float, str]:
    """The absolute equivalence margin of one cell and where it came from (suite or default)."""
    if stated is not None:
        if isinstance(stated, str):
            hit = _PCT.match(stated)
            assert hit is not None  # validated
            return float(hit[1]) / 100 * abs(paper_mean), f"suite ({stated.strip()} of the paper's value)"
        return float(stated), "suite"
    floor, rel = DEFAULT_MARGINS.get(metric, (0.0, DEFAULT_RELATIVE))
    m = max(floor, rel * abs(paper_mean))
    if m <= 0:  # a paper value of 0 with a purely relative default: no margin to speak of
        m = 1e-12
    return m, "default"


def flatten(tables: list[ReferenceTable]) -> list[ReferenceValue]:
    out = []
    for t in tables:
        for r in t.rows:
            budget = (r.budget or t.budget)
            protocol = {k: v for k, v in (t.protocol.model_dump() if t.protocol else {}).items() if v is not None}
            protocol.update({k: v for k, v in (r.protocol.model_dump() if r.protocol else {}).items() if v is not None})
            margins = {**t.margins, **r.margins}
            spreads = {**t.assumed_spread, **r.assumed_spread}
            for metric, cell in r.metrics.items():
                vals = cell if isinstance(cell, list) else [cell]
                margin, source = resolve_margin(metric, float(vals[0]), margins.get(metric))
                out.append(ReferenceValue(
                    t.paper, t.table, r.row, r.dataset, r.model, r.pack, metric, float(vals[0]),
                    float(vals[1]) if len(vals) == 2 else None, t.spread_kind, r.n or t.n,
                    budget.as_dict() if budget else None, t.note, protocol, margin, source,
                    spreads.get(metric),
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
        raise ValueError(f"{where}[{loc}]: {e['msg'].removeprefix('Value error, ')}") from None
