"""The Markdown report (``device-check.md``) from the JSON report."""

from __future__ import annotations

import math
from typing import Any

from benchmarks.device_check.common import (
    SECTIONS,
    _values,
)


def fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        return f"{v:.{digits}g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def markdown(report: dict[str, Any]) -> str:
    hw = report["hardware"]
    lines = [
        f"# ganbench device check ({'--tiny, ' if report['tiny'] else ''}{report['device']})",
        "",
        f"- device: **{hw.get('gpu') or hw.get('cpu')}** ({report['device']}); driver {hw.get('driver') or '—'}; "
        f"torch {hw.get('torch')}, CUDA {hw.get('cuda') or '—'}, cuDNN {hw.get('cudnn') or '—'}; "
        f"CPU {hw.get('cpu')} × {hw.get('cpu_count')}; python {hw.get('python')}; ganbench {hw.get('ganbench_commit')}",
        f"- started {report['started']}, total {report['total_s']:.0f} s (budget {report['budget_s']:.0f} s)",
    ]
    if report["tiny"]:
        lines.append("- **--tiny**: shrunk models and sizes, a smoke test of the script; not performance figures")
    if report["device"] == "cpu":
        lines.append("- **CPU figures**: no GPU was used; peak GPU memory is n/a")
    for name in SECTIONS:
        sec = report["sections"].get(name)
        if sec is None:
            continue
        lines += ["", f"## {name} — {sec['status']} ({sec['seconds']:.0f} s of {sec['cap_s']:.0f} s)"]
        if sec.get("error"):
            lines.append(f"\n**error:** {sec['error'].splitlines()[0]}")
        rows = sec.get("rows") or []
        if rows:
            keys: list[str] = []
            for r in rows:
                for k in _values(r):
                    if k not in keys:
                        keys.append(k)
            extra = [k for k in ("pack", "replicas", "kind", "mode", "verdict", "studiogan_steps_per_s_other_gpu")
                     if any(k in r for r in rows)]
            lines += ["", "| " + " | ".join(["measurement", *extra, *keys, "peak GPU MB", "note"]) + " |",
                      "|" + "---|" * (len(extra) + len(keys) + 3)]
            for r in rows:
                note = r.get("error") or r.get("skipped") or r.get("note") or r.get("goal") or ""
                cells = [str(r.get("name")), *[fmt(r.get(k)) for k in extra], *[fmt(_values(r).get(k)) for k in keys],
                         fmt(r.get("peak_mem_mb", "—")), str(note).replace("|", "/")]
                lines.append("| " + " | ".join(cells) + " |")
        summary = sec.get("summary") or {}
        if summary:
            lines += ["", "summary: " + "; ".join(
                f"{k}: " + (", ".join(f"{kk} {fmt(vv)}" for kk, vv in v.items()) if isinstance(v, dict) else fmt(v))
                for k, v in summary.items())]
        if sec.get("studiogan_note"):
            lines.append(f"\nStudioGAN column: {sec['studiogan_note']}.")
        if sec.get("table"):
            lines += ["", "| dataset | pack | seeds | modes (ours) | HQ % (ours) | rKL (ours) | modes (PacGAN) | HQ % (PacGAN) "
                      "| rKL (PacGAN) |", "|---|---|---|---|---|---|---|---|---|"]
            for t in sec["table"]:
                p = t.get("paper") or {}

                def ms(d: dict[str, Any]) -> str:
                    return f"{fmt(d.get('mean'))}±{fmt(d.get('se'))}" if d.get("mean") is not None else "—"

                lines.append(f"| {t['dataset']} | {t['pack']} | {t['seeds']} | {ms(t['modes'])} | {ms(t['hq_share'])} | "
                             f"{ms(t['reverse_kl'])} | {p.get('modes', '—')} | {p.get('hq_pct', '—')} | "
                             f"{p.get('reverse_kl', '—')} |")
            lines.append("\nOurs at the budget fraction above (mean ± standard error over seeds); PacGAN Table 1 at "
                         "the full budget, 10 trials.")
    return "\n".join(lines) + "\n"
