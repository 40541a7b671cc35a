"""The report's "published results beside ours" section: every reference cell with a verdict."""

from __future__ import annotations

import math
from typing import Any

from ganbench.analyse.references import ADJUST, ALPHA, JUDGED, PROTOCOL_TEXT, SPREAD_TEXT, compare_store, tables_from_metas
from ganbench.analyse.stats import ADJUST_TEXT
from ganbench.report.load import ReportData

VERDICT_CLASS = {
    "consistent": "v-same", "better": "v-better", "worse": "v-worse", "differs": "v-worse",
    "inconclusive": "v-unknown", "protocol differs": "v-budget", "no spread": "v-unknown",
    "too few seeds": "v-unknown", "no runs": "v-unknown", "not comparable": "v-budget",
}


def _num(x: float | None) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    a = abs(x)
    if a != 0 and (a < 1e-3 or a >= 1e5):
        return f"{x:.3g}"
    return f"{x:.3f}" if a < 10 else f"{x:.2f}" if a < 1000 else f"{x:,.0f}"


def _pm(mean: float | None, spread: float | None) -> str:
    return _num(mean) if spread is None else f"{_num(mean)} ± {_num(spread)}"


def _budget(b: dict[str, float] | None) -> str:
    if not b:
        return "—"
    return ", ".join(f"{v:,.0f} {k}" if float(v).is_integer() else f"{v:g} {k}" for k, v in b.items())


def published(data: ReportData) -> dict[str, Any] | None:
    """Tables of reference rows: paper vs ours (± of the paper's kind), the difference with its 95 %
    CI, the margin, Welch p (raw and Holm-adjusted), TOST p and the verdict."""
    tables = tables_from_metas(data.metas)
    if not tables:
        return None
    comparisons = compare_store(data.runs, data.metrics, tables, data.metas)
    out, counts = [], {}
    for t in tables:
        rows = []
        for c in comparisons:
            if (c.ref.paper, c.ref.table) != (t.paper, t.table):
                continue
            v = c.verdict
            counts[v.kind] = counts.get(v.kind, 0) + 1
            rows.append({
                "row": c.ref.row, "dataset": c.ref.dataset, "model": c.ref.model, "pack": c.ref.pack,
                "metric": c.ref.metric,
                "paper": _pm(c.ref.mean, c.ref.spread),
                "paper_n": c.ref.n or "—",
                "ours": _pm(v.ours_mean, v.ours_spread),
                "ours_n": v.ours_n,
                "ours_budget": _budget(c.our_budget),
                "diff": "—" if v.diff is None else (
                    _num(v.diff) + ("" if v.lo is None else f" [{_num(v.lo)}, {_num(v.hi)}]")),
                "margin": "—" if v.margin is None else f"±{_num(v.margin)}" + ("" if c.ref.margin_source == "default" else " *"),
                "p": "—" if v.p is None else f"{v.p:.3f}",
                "p_adj": "—" if v.p_adjusted is None else f"{v.p_adjusted:.3f}",
                "p_tost": "—" if v.p_tost is None else f"{v.p_tost:.3f}",
                "protocol": _protocol(c.ref.protocol),
                "verdict": v.label,
                "cls": VERDICT_CLASS.get(v.kind, "v-unknown"),
            })
        out.append({
            "title": f"{t.paper} — {t.table}",
            "spread": SPREAD_TEXT[t.spread_kind],
            "budget": _budget(t.budget.as_dict() if t.budget else None),
            "note": t.note,
            "rows": rows,
        })
    judged = sum(c.verdict.kind in JUDGED and c.verdict.p is not None for c in comparisons)
    return {"tables": out, "alpha": ALPHA, "counts": counts, "judged": judged, "adjust": ADJUST_TEXT[ADJUST]}


def _protocol(p: dict[str, Any]) -> str:
    return "; ".join(f"{PROTOCOL_TEXT[k]} {v}" for k, v in p.items()) or "—"
