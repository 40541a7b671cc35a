"""The report's "published results beside ours" section: every reference cell with a verdict."""

from __future__ import annotations

import math
from typing import Any

from ganbench.references import ALPHA, SPREAD_TEXT, compare_store, tables_from_metas
from ganbench.report.load import ReportData

VERDICT_CLASS = {
    "consistent": "v-same", "better": "v-better", "worse": "v-worse", "differs": "v-worse",
    "budget differs": "v-budget", "budget unknown": "v-budget", "no spread": "v-unknown", "no runs": "v-unknown",
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
    """Tables of reference rows (paper vs ours, ± of the paper's kind, Welch p, verdict)."""
    tables = tables_from_metas(data.metas)
    if not tables:
        return None
    comparisons = compare_store(data.runs, data.metrics, tables)
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
                "p": "—" if v.p is None else f"{v.p:.3f}",
                "verdict": v.kind,
                "cls": VERDICT_CLASS.get(v.kind, "v-unknown"),
            })
        out.append({
            "title": f"{t.paper} — {t.table}",
            "spread": SPREAD_TEXT[t.spread_kind],
            "budget": _budget(t.budget.as_dict() if t.budget else None),
            "note": t.note,
            "rows": rows,
        })
    return {"tables": out, "alpha": ALPHA, "counts": counts}
