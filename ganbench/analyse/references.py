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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ganbench.analyse import stats as gs
from ganbench.analyse.reference_tables import (
    ADJUST,
    ALPHA,
    DEFAULT_MARGINS,
    DEFAULT_RELATIVE,
    PROTOCOL_FIELDS,
    PROTOCOL_TEXT,
    SPREAD_TEXT,
    Margin,
    MetricCell,
    ReferenceBudget,
    ReferenceProtocol,
    ReferenceRow,
    ReferenceTable,
    ReferenceValue,
    SpreadKind,
    flatten,
    parse_references,
    resolve_margin,
)

# The suite schema moved to reference_tables; its names stay importable from here.
__all__ = [
    "ADJUST",
    "ALPHA",
    "Comparison",
    "DEFAULT_MARGINS",
    "DEFAULT_RELATIVE",
    "JUDGED",
    "Margin",
    "MetricCell",
    "PROTOCOL_FIELDS",
    "PROTOCOL_TEXT",
    "ReferenceBudget",
    "ReferenceProtocol",
    "ReferenceRow",
    "ReferenceTable",
    "ReferenceValue",
    "SPREAD_TEXT",
    "SpreadKind",
    "Verdict",
    "adjust",
    "compare_store",
    "flatten",
    "ours_spread",
    "paper_side",
    "parse_references",
    "protocol_diffs",
    "resolve_margin",
    "spread_to_sd",
    "tables_from_metas",
    "verdict",
]


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
