"""Renderings of a :class:`~ganbench.gate.regression.CheckResult`: a rich table for people, JSON for
scripts, JUnit XML so CI systems list each metric as a test case, markdown for a PR comment."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET

from rich.console import Console
from rich.table import Table

from ganbench.gate.regression import CheckResult, CheckRow

STYLE = {"regressed": "bold red", "not-comparable": "bold yellow", "improved": "green", "ok": "", "skipped": "dim"}
ORDER = {"regressed": 0, "not-comparable": 1, "improved": 2, "ok": 3, "skipped": 4}
ICON = {"regressed": "❌", "not-comparable": "⚠️", "improved": "⬆️", "ok": "✅", "skipped": "➖"}


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:.4g}"


def _ms(mean: float | None, std: float | None, n: int | None) -> str:
    if mean is None:
        return "—"
    return f"{mean:.4g} ± {0.0 if std is None else std:.2g} (n={n})"


def _arrow(direction: str | None) -> str:
    return {"higher": "↑", "lower": "↓"}.get(direction or "", "")


def sorted_rows(result: CheckResult) -> list[CheckRow]:
    return sorted(result.rows, key=lambda r: (ORDER[r.status], r.group, r.metric))


def print_table(result: CheckResult, console: Console, show_skipped: bool = False) -> None:
    """One row per compared metric, worst first, with the reason for each verdict."""
    table = Table(title=f"ganbench check: {result.suite} vs {result.baseline}", show_lines=False)
    for col, justify in (("group", "left"), ("metric", "left"), ("baseline", "right"), ("now", "right"),
                         ("Δ", "right"), ("tolerance", "right"), ("verdict", "left"), ("why", "left")):
        table.add_column(col, justify=justify, overflow="fold")
    hidden = 0
    for r in sorted_rows(result):
        if r.status == "skipped" and not show_skipped:
            hidden += 1
            continue
        table.add_row(
            r.group, f"{r.metric} {_arrow(r.direction)}".strip(),
            _ms(r.baseline_mean, r.baseline_std, r.baseline_n), _ms(r.current_mean, r.current_std, r.current_n),
            _num(r.delta), _num(r.tolerance), f"[{STYLE[r.status]}]{r.status}[/]" if STYLE[r.status] else r.status,
            r.reason,
        )
    console.print(table)
    if hidden:
        console.print(f"[dim]{hidden} metric(s) not checked (throughput or no direction); --show-skipped lists them[/]")
    for p in result.problems:
        console.print("[yellow]not comparable:[/] " + _esc(p), highlight=False)
    for n in result.notes:
        console.print("[dim]note:[/] " + _esc(n), highlight=False)
    c = result.counts()
    summary = ", ".join(f"{v} {k}" for k, v in c.items() if v)
    colour = {0: "green", 1: "red", 2: "yellow"}[result.exit_code]
    console.print(f"[bold {colour}]{result.verdict}[/] (exit {result.exit_code}): {summary or 'nothing compared'}")


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def to_json_text(result: CheckResult) -> str:
    return json.dumps(result.to_json(), indent=2, default=str, allow_nan=False) + "\n"


def to_junit(result: CheckResult) -> str:
    """JUnit XML: a test case per (group, metric); regressions are failures, not-comparable cells
    and suite-level problems are errors, unchecked metrics are skipped."""
    c = result.counts()
    suite = ET.Element(
        "testsuite", name=f"ganbench-check.{result.suite}",
        tests=str(len(result.rows) + len(result.problems)),
        failures=str(c["regressed"]), errors=str(c["not-comparable"] + len(result.problems)),
        skipped=str(c["skipped"]),
    )
    for i, p in enumerate(result.problems):
        case = ET.SubElement(suite, "testcase", classname="comparability", name=f"problem-{i + 1}")
        ET.SubElement(case, "error", message=p, type="not-comparable").text = p
    for r in result.rows:
        case = ET.SubElement(suite, "testcase", classname=r.group, name=r.metric)
        detail = (f"baseline {_ms(r.baseline_mean, r.baseline_std, r.baseline_n)}; "
                  f"now {_ms(r.current_mean, r.current_std, r.current_n)}; {r.reason}")
        if r.status == "regressed":
            ET.SubElement(case, "failure", message=r.reason, type="regression").text = detail
        elif r.status == "not-comparable":
            ET.SubElement(case, "error", message=r.reason, type="not-comparable").text = detail
        elif r.status == "skipped":
            ET.SubElement(case, "skipped", message=r.reason)
        else:
            ET.SubElement(case, "system-out").text = detail
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _md_cell(text: str) -> str:
    """Plugin and suite text in a PR comment: HTML-escaped (as the HTML report escapes it, so a
    ``<img onerror>`` or ``<details>`` in a label renders as text), table pipes, backticks and
    line breaks neutralised."""
    return html.escape(str(text), quote=True).replace("|", "\\|").replace("`", "&#96;").replace("\n", " ")


def to_markdown(result: CheckResult) -> str:
    """A pull-request comment: the verdict, what went wrong, and every checked metric folded away."""
    icon = {0: "✅", 1: "❌", 2: "⚠️"}[result.exit_code]
    c = result.counts()
    lines = [
        f"### {icon} ganbench check: **{result.verdict}** — suite <code>{_md_cell(result.suite)}</code>",
        "",
        ", ".join(f"{v} {k}" for k, v in c.items() if v) or "nothing compared",
        "",
    ]
    for p in result.problems:
        lines.append(f"- ⚠️ not comparable: {_md_cell(p)}")
    if result.problems:
        lines.append("")
    header = ["| | group | metric | baseline | now | Δ | tolerance | why |", "|---|---|---|---|---|---|---|---|"]

    def row(r: CheckRow) -> str:
        return (f"| {ICON[r.status]} | {_md_cell(r.group)} | {_md_cell(r.metric)} {_arrow(r.direction)} | "
                f"{_ms(r.baseline_mean, r.baseline_std, r.baseline_n)} | {_ms(r.current_mean, r.current_std, r.current_n)} | "
                f"{_num(r.delta)} | {_num(r.tolerance)} | {_md_cell(r.reason)} |")

    bad = [r for r in sorted_rows(result) if r.status in ("regressed", "not-comparable", "improved")]
    if bad:
        lines += header + [row(r) for r in bad] + [""]
    checked = [r for r in sorted_rows(result) if r.status != "skipped"]
    lines += ["<details><summary>all checked metrics</summary>", "", *header, *(row(r) for r in checked), "", "</details>", ""]
    for n in result.notes:
        lines.append(f"- note: {_md_cell(n)}")
    lines.append(f"\n<sub>tolerance = max({result.options.k:g} × baseline seed std, floor); baseline <code>{_md_cell(result.baseline)}</code></sub>")
    return "\n".join(lines) + "\n"
