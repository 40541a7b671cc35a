"""The report's per-run sections: status, error, duration, config, final metrics and data notes of every run."""

from __future__ import annotations

import json
from typing import Any

from ganbench.report.aggregate import (
    fmt_value,
    is_error_metric,
)
from ganbench.report.load import ReportData
from ganbench.report.sections import _is_missing


# -- runs --------------------------------------------------------------------------------------
def run_sections(data: ReportData) -> list[dict[str, Any]]:
    """Every run with its status, error, duration, config and final metrics."""
    runs, metrics = data.runs, data.metrics
    fin = metrics[metrics["final"] == 1] if not metrics.empty else metrics
    by_run = {rid: grp for rid, grp in fin.groupby("run_id")} if not fin.empty else {}
    out = []
    for _, r in runs.iterrows():
        m = by_run.get(r["run_id"])
        finals, errors = [], []
        if m is not None:
            for _, row in m.iterrows():
                if is_error_metric(row["name"]):
                    errors.append(f"{row['name'][:-6]}: {row['note'] or 'failed'}")
                else:
                    finals.append({"name": row["name"], "text": fmt_value(row["value"], row["name"]),
                                   "note": row["note"] if isinstance(row["note"], str) else ""})
        dur = r.get("duration_s")
        out.append({
            "run_id": r["run_id"],
            "label": r["label"],
            "model": r["model"],
            "model_version": "" if _is_missing(r.get("model_version")) else r.get("model_version"),
            "plugin": " ".join(str(v) for v in (r.get("plugin_dist"), r.get("plugin")) if not _is_missing(v)),
            "description": "" if _is_missing(r.get("plugin_description")) else str(r.get("plugin_description")),
            "dataset": r["dataset_label"],
            "seed": int(r["seed"]),
            "pack": int(r["pack"]),
            "status": r["status"],
            "error": "" if _is_missing(r.get("error")) else str(r.get("error")),
            "duration": "" if _is_missing(dur) else f"{float(dur):.1f} s",
            "steps": "" if _is_missing(r.get("steps")) else f"{int(r['steps']):,}",
            "kimg": "" if _is_missing(r.get("kimg")) else f"{float(r['kimg']):.1f}",
            "config": json.dumps(r["config"], indent=2, sort_keys=True, default=str),
            "finals": finals,
            "metric_errors": errors,
            "data_notes": skipped_note(data, r["run_id"]),
            "sample_text": sample_text(data, r["run_id"]),
        })
    return out


def sample_text(data: ReportData, run_id: str) -> list[str]:
    """A sequence run's first generated sequences, as text (decoded tokens or token ids)."""
    text = data.array(run_id, "sample_text")
    return [] if text is None else [str(t) for t in text[:20]]


def skipped_note(data: ReportData, run_id: str) -> list[str]:
    """The dataset files the run's provider skipped (unreadable, or over its pixel bound)."""
    skipped = data.array(run_id, "dataset_skipped")
    if skipped is None or not len(skipped):
        return []
    names = [str(s) for s in skipped[:10]]
    more = f"; ... and {len(skipped) - 10} more" if len(skipped) > 10 else ""
    return [f"dataset: {len(skipped)} file(s) skipped, not trained or evaluated on: " + "; ".join(names) + more]
