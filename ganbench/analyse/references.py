"""Published results beside ours, each with a verdict no stronger than the evidence.

A suite may carry ``references:``: tables of a paper (PacGAN's Tables 1–3, StudioGAN's and
Mimicry's CIFAR-10 FIDs), each row naming the dataset, model and pack size it corresponds to in the
suite and giving, per metric, the paper's mean and ± (with the kind of ± and the number of trials),
the paper's protocol (budget, extractor, sample counts, conditioning, checkpoint selection,
resolution) and the equivalence margin per metric. The report puts every reference row beside ours
and ``ganbench check --references`` gates on them. docs/references.md is the reader's version.

Per cell (ganbench.analyse.stats does the arithmetic):

- the difference ours − paper with its 95 % Welch interval;
- **protocol differs: <what>** when any stated protocol field differs from our runs' (shown, never
  judged: StudioGAN's class-conditional SNGAN at its best checkpoint is not our unconditional
  SNGAN at its last);
- **no spread** when the paper gives no ± (and the suite states no ``assumed_spread``) or gives a
  ± without the trials behind it: n is never invented; **too few seeds** with one seed of ours;
- **better** / **worse** when the Welch difference survives Holm's correction over every judged
  cell of the suite (a suite has 8–32 cells; uncorrected, a suite with nothing wrong would fail
  about half the time); the label adds "inside the margin" when TOST also shows the difference
  smaller than the margin (real, but smaller than the suite calls meaningful);
- **consistent** only when equivalence is shown: TOST within the metric's margin at α, and no
  difference after the correction;
- **inconclusive** otherwise, with the seeds of ours that would show equivalence (80 % power at a
  true difference of zero), or "unreachable" when the paper's own ± fills the margin; when the
  difference seen already lies outside the margin no seed count is offered (the label says so).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
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

    @field_validator("margins")
    @classmethod
    def _margins(cls, v: dict[str, Margin]) -> dict[str, Margin]:
        return _check_margins(v)

    @field_validator("assumed_spread")
    @classmethod
    def _spreads(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_spreads(v)


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

    @field_validator("margins")
    @classmethod
    def _margins(cls, v: dict[str, Margin]) -> dict[str, Margin]:
        return _check_margins(v)

    @field_validator("assumed_spread")
    @classmethod
    def _spreads(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_spreads(v)


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


def spread_to_sd(spread: float | None, kind: str, n: int | None) -> float | None:
    """The standard deviation of the trials behind a published ± (``None`` when it cannot be
    known: no ±, or a standard error or interval without the number of trials behind it)."""
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


def paper_side(ref: ReferenceValue) -> gs.Side | None:
    """The paper's mean as one side of a Welch comparison, or ``None`` when its uncertainty is
    unknown. An assumed spread (the suite's statement, for a number published without ±) is a
    known standard error. A ± of n = 1 trial, or without n, is not turned into an n."""
    if ref.spread is not None and ref.spread_kind != "none" and ref.n is not None and ref.n >= 2:
        sd = spread_to_sd(ref.spread, ref.spread_kind, ref.n)
        if sd is not None:
            return gs.Side.from_sd(ref.mean, sd, ref.n)
    if ref.assumed_spread is not None:
        return gs.Side.known(ref.mean, ref.assumed_spread)
    return None


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


JUDGED = ("consistent", "inconclusive", "better", "worse")


@dataclass(frozen=True)
class Verdict:
    """One cell's verdict. ``kind``: consistent | inconclusive | better | worse | protocol differs |
    no spread | too few seeds | no runs; ``label`` is what a reader sees."""

    kind: str
    p: float | None
    ours_mean: float | None
    ours_spread: float | None
    ours_n: int
    diff: float | None = None
    lo: float | None = None
    hi: float | None = None
    p_adjusted: float | None = None
    p_tost: float | None = None
    margin: float | None = None
    protocol_diffs: tuple[str, ...] = ()
    direction: str | None = None
    ours_sd: float | None = None
    paper: gs.Side | None = None

    @property
    def outside_margin(self) -> bool:
        """The difference seen is at least the margin: more seeds are not expected to show
        equivalence, so no seed count is offered (they would more likely show the difference)."""
        return self.diff is not None and self.margin is not None and abs(self.diff) >= self.margin

    @property
    def seeds_needed(self) -> int | None:
        """Seeds of ours that would show equivalence (80 % power at a true difference of 0);
        ``None`` when no number would (the paper's ± fills the margin), when the difference seen
        already lies outside the margin, or nothing is judged."""
        if self.outside_margin:
            return None
        if self.paper is None or self.margin is None or self.ours_sd is None or not math.isfinite(self.ours_sd):
            return None
        return gs.seeds_for_equivalence(self.ours_sd, self.paper, self.margin)

    @property
    def gating(self) -> bool:
        """A regression against the paper: worse after multiplicity control, same protocol."""
        return self.kind == "worse"

    @property
    def label(self) -> str:
        if self.kind in ("protocol differs", "not comparable"):
            return f"{self.kind}: " + ", ".join(self.protocol_diffs)
        if self.kind in ("better", "worse", "differs") and self.p_tost is not None and self.p_tost < ALPHA:
            return f"{self.kind} (a real difference, inside the ±{self.margin:.3g} margin)"
        if self.kind == "inconclusive":
            if self.outside_margin:
                return (f"inconclusive (the difference seen, {self.diff:+.3g}, lies outside the ±{self.margin:.3g} "
                        "margin but is not significant after correction)")
            if self.seeds_needed is None:
                return "inconclusive (the paper's ± alone exceeds the margin)"
            return f"inconclusive (≈ {self.seeds_needed} seeds to show equivalence)"
        return self.kind


def protocol_diffs(ref: ReferenceValue, ours: dict[str, Any], our_budget: dict[str, float] | None,
                   mixed_budgets: bool = False) -> tuple[str, ...]:
    """What differs between the paper's stated protocol and our runs'. A field the paper does not
    state is not compared; one we do not know is compared only for the budget (a paper without a
    budget is "budget (not stated)": a reduced-budget suite is no evidence against a paper)."""
    out = []
    if ref.budget is None:
        out.append("budget (not stated)")
    elif mixed_budgets or our_budget is None or not _same_budget(ref.budget, our_budget):
        out.append("budget")
    for k in PROTOCOL_FIELDS:
        theirs, mine = ref.protocol.get(k), ours.get(k)
        if theirs is None or mine is None:
            continue
        if k == "extractor":
            same = str(theirs).lower() == str(mine).lower()
        else:
            same = theirs == mine
        if not same:
            out.append(PROTOCOL_TEXT[k])
    return tuple(out)


def verdict(ref: ReferenceValue, values: Any, direction: str | None,
            our_budget: dict[str, float] | None, ours_protocol: dict[str, Any] | None = None,
            alpha: float = ALPHA, mixed_budgets: bool = False) -> Verdict:
    """One cell before multiplicity control (:func:`adjust` settles better / worse for a suite)."""
    values = gs.finite(values if values is not None else [])
    n = len(values)
    if n == 0:
        return Verdict("no runs", None, None, None, 0)
    mean = float(values.mean())
    spread = ours_spread(values, ref.spread_kind)
    base = Verdict("", None, mean, spread, n, margin=ref.margin, direction=direction)
    ours_s = gs.Side.of(values)
    paper = paper_side(ref)
    d = None
    if ours_s is not None:  # without a paper spread: our own interval around the bare number
        d = gs.welch(ours_s, paper if paper is not None else gs.Side.known(ref.mean, 0.0))
        base = replace(base, diff=d.diff, lo=d.lo, hi=d.hi, p=d.p if paper is not None else None)
    else:
        base = replace(base, diff=mean - ref.mean)
    diffs = protocol_diffs(ref, ours_protocol or {}, our_budget, mixed_budgets)
    if diffs:
        return replace(base, kind="protocol differs", protocol_diffs=diffs)
    if ours_s is None or d is None:
        return replace(base, kind="too few seeds")
    if paper is None:
        return replace(base, kind="no spread")
    margin = ref.margin if ref.margin is not None else resolve_margin(ref.metric, ref.mean, None)[0]
    p_tost = gs.tost(d, margin)
    return replace(base, kind="inconclusive", p_tost=p_tost, margin=margin, ours_sd=gs.sample_sd(values), paper=paper)


def adjust(verdicts: list[Verdict], alpha: float = ALPHA, method: str = ADJUST) -> list[Verdict]:
    """Settle the judged cells of one suite: consistent when TOST shows equivalence; better /
    worse when the Welch p survives ``method`` (Holm by default) over every judged cell; else
    inconclusive. Cells that are not judged (protocol differs, no spread, ...) are not in the family."""
    judged = [i for i, v in enumerate(verdicts) if v.kind in JUDGED and v.p is not None]
    adj = gs.ADJUST[method]([verdicts[i].p for i in judged])
    out = list(verdicts)
    for i, pa in zip(judged, adj):
        v = replace(verdicts[i], p_adjusted=pa)
        if pa is not None and pa < alpha and v.direction in ("higher", "lower") and v.diff is not None:
            better = v.diff > 0 if v.direction == "higher" else v.diff < 0
            v = replace(v, kind="better" if better else "worse")
        elif pa is not None and pa < alpha:
            v = replace(v, kind="differs")
        elif v.p_tost is not None and v.p_tost < alpha:
            v = replace(v, kind="consistent")
        else:
            v = replace(v, kind="inconclusive")
        out[i] = v
    return out


def _same_budget(a: dict[str, float], b: dict[str, float]) -> bool:
    if set(a) != set(b):
        return False
    return all(math.isclose(a[k], b[k], rel_tol=1e-6) for k in a)


@dataclass(frozen=True)
class Comparison:
    ref: ReferenceValue
    verdict: Verdict
    our_budget: dict[str, float] | None
    ours_protocol: dict[str, Any] = field(default_factory=dict)


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


def _capabilities(metas: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for meta in metas or []:
        caps = meta.get("model_capabilities")
        if isinstance(caps, dict):
            out.update({k: v for k, v in caps.items() if isinstance(v, dict)})
    return out


def _ours_protocol(sel: Any, rows: Any, caps: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Our runs' protocol for one cell, from what the store records (one value, or unknown)."""
    def one(values: Any) -> Any:
        vals = {v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))}
        return next(iter(vals)) if len(vals) == 1 else None

    out: dict[str, Any] = {"checkpoint": "last"}  # ganbench scores the final generator, never a best-of
    if len(rows):
        ext = one(rows["extractor"]) if "extractor" in rows else None
        out["extractor"] = ext if ext is not None else ("none" if rows["extractor"].isna().all() else None)
        nf, nr = one(rows.get("n_samples", [])), one(rows.get("n_real", []))
        out["n_fake"] = int(nf) if nf is not None else None
        out["n_real"] = int(nr) if nr is not None else None
    if len(sel):
        cond = {caps.get(m, {}).get("conditional") for m in sel["model"]}
        out["conditional"] = cond.pop() if len(cond) == 1 else None
        res = {(c or {}).get("dataset_params", {}).get("resolution") for c in sel["config"]}
        out["resolution"] = res.pop() if len(res) == 1 else None
    return {k: v for k, v in out.items() if v is not None}


def compare_store(runs: Any, metrics: Any, tables: list[ReferenceTable],
                  metas: list[dict[str, Any]] | None = None, alpha: float = ALPHA) -> list[Comparison]:
    """Every published cell against our finished runs of the same dataset, model and pack, with
    better / worse settled by Holm's correction over the suite's judged cells."""
    import json

    if not tables:
        return []
    from ganbench.report.comparability import NONSTANDARD_MARK

    caps = _capabilities(metas)
    done = runs[runs["status"] == "done"] if len(runs) else runs
    final = metrics[metrics["final"] == 1] if len(metrics) else metrics
    refs, verdicts, budgets_of, protos = [], [], [], []
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
        proto = _ours_protocol(sel, rows, caps)
        values = rows["value"].to_numpy(dtype=float) if len(rows) else np.array([])
        refs.append(ref)
        v = verdict(ref, values, direction, our_budget, proto, alpha, mixed_budgets=len(budgets) > 1)
        if len(rows) and "note" in rows and rows["note"].astype(str).str.contains(NONSTANDARD_MARK, regex=False).any():
            # scored with other Inception weights than the papers' (issue 29): shown, never judged
            v = replace(v, kind="not comparable", p=None, p_adjusted=None, p_tost=None,
                        protocol_diffs=("non-standard Inception weights",))
        verdicts.append(v)
        budgets_of.append(our_budget)
        protos.append(proto)
    verdicts = adjust(verdicts, alpha)
    return [Comparison(r, v, b, p) for r, v, b, p in zip(refs, verdicts, budgets_of, protos)]


def _budget_of(config: Any) -> dict[str, float]:
    b = (config or {}).get("budget") or {}
    return {k: float(v) for k, v in b.items() if v is not None}
