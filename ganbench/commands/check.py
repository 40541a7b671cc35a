"""``ganbench check STORE --baseline FILE [--references]``: fail CI when a change makes the numbers
worse, or when they fall short of a published table at the paper's budget."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from rich.console import Console

from ganbench.commands import add_parser, print_error

if TYPE_CHECKING:
    from ganbench.analyse.references import Comparison

DESCRIPTION = """\
Compare a results store with a baseline written by `ganbench baseline`. A metric regresses when
its mean over seeds moves in its bad direction (FID up, IS down, modes down, KL up) by more than

    tolerance = max(k * std of the baseline's seeds, floor)

k defaults to 3; floors default to modes 1, hq_share 0.05, reverse_kl 0.1 and 5 % of the baseline
mean for other metrics. The suite's `check:` section (k, floors, metrics) overrides the defaults
and these options override the suite. Throughput metrics (*_per_s, peak_mem_mb) are not checked
unless --metrics names them: shared CI machines make them too noisy to gate on.

With --references, each published row in the suite's `references:` (docs/references.md) is
compared with our seeds: the difference ours - paper with its 95 % Welch interval; "consistent"
only when a TOST shows it within the metric's margin; "worse" (a regression) only when Welch's p
survives Holm's correction over all the suite's judged cells; "inconclusive" otherwise, with the
seeds that would settle it. Rows whose protocol differs from ours (budget, extractor, sample
counts, conditioning, checkpoint, resolution) and numbers published without ± are shown and
never fail.

Exit status: 0 no regression, 1 regression, 2 not comparable (different suite or run config,
missing or failed runs, missing metrics) or bad input.

Example:
  ganbench run suites/ci-smoke.yaml --out /tmp/smoke
  ganbench check /tmp/smoke --baseline baselines/ci-smoke.json --junit check.xml --markdown check.md
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = add_parser(sub, "check", "compare a results store with a baseline; exit 1 on a regression", DESCRIPTION)
    p.add_argument("store", help="output directory of `ganbench run`, or its results.sqlite")
    p.add_argument("--baseline", metavar="FILE", help="baseline JSON (from `ganbench baseline`)")
    p.add_argument("--references", action="store_true",
                   help="also (or instead) compare with the published rows in the suite's `references:`: exit 1 "
                   "when a cell at the paper's protocol is worse than the paper (Welch, Holm-corrected over the suite's cells)")
    p.add_argument("--k", type=float, metavar="K", help="tolerance multiplier of the baseline seed std (default 3)")
    p.add_argument("--floor", action="append", default=[], metavar="NAME=VALUE",
                   help="floor of a metric (or a pattern like '*_per_s'): absolute (modes=2) or relative (fid=10%%); repeatable")
    p.add_argument("--metrics", metavar="PATTERNS",
                   help="comma list of metric name patterns to check (default: all but throughput; '*' for all)")
    p.add_argument("--format", choices=["table", "json"], default="table", help="stdout format (default: table)")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML (one test case per metric)")
    p.add_argument("--markdown", metavar="FILE", help="also write a markdown summary (for a PR comment)")
    p.add_argument("--show-skipped", action="store_true", help="list unchecked metrics in the table too")
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from ganbench.gate.baseline import BaselineError, load_baseline
    from ganbench.gate.regression import CheckError, compare, parse_floor_arg
    from ganbench.gate.regression_output import print_table, to_json_text, to_junit, to_markdown
    from ganbench.record.store import StoreError
    from ganbench.util.atomic import write_text_atomic

    if not args.baseline and not args.references:
        print_error("give --baseline FILE, --references, or both")
        return 2
    from ganbench.plan.outpath import OutputPathError, check_output_path, describe_os_error

    try:
        for what in ("junit", "markdown"):
            if getattr(args, what):
                check_output_path(getattr(args, what), what=f"--{what}",
                                  inputs=[args.store, *([args.baseline] if args.baseline else [])])
    except OutputPathError as exc:
        print_error(str(exc))
        return 2
    if not args.baseline:
        return check_references(args.store, markdown=args.markdown)
    try:
        floors = dict(parse_floor_arg(f) for f in args.floor)
        metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else None
        baseline = load_baseline(args.baseline)
        result = compare(args.store, baseline, args.baseline, k=args.k, floors=floors, metrics=metrics)
    except (BaselineError, CheckError, StoreError) as exc:
        print_error(str(exc))
        return 2
    if args.format == "json":
        sys.stdout.write(to_json_text(result))
    else:
        print_table(result, Console(width=None if sys.stdout.isatty() else 160), show_skipped=args.show_skipped)
    try:
        if args.junit:
            write_text_atomic(args.junit, to_junit(result), mode=0o644)
        if args.markdown:
            write_text_atomic(args.markdown, to_markdown(result), mode=0o644)
    except OSError as exc:  # never exit 1 (a regression) for a file we could not write
        print_error(describe_os_error(exc))
        return 2
    if args.references:
        # one --markdown file: the baseline summary above, the published rows appended after it
        return max(result.exit_code, check_references(args.store, markdown=args.markdown, append=True))
    return result.exit_code


def verdict_cells(c: Comparison) -> dict[str, str]:
    """One published cell's numbers as text, written once for the terminal table and the markdown."""
    r, v = c.ref, c.verdict
    return {
        "paper": f"{r.mean:g}" + (f" ± {r.spread:g}" if r.spread is not None else ""),
        "ours": "—" if v.ours_mean is None else f"{v.ours_mean:.4g}" + (
            f" ± {v.ours_spread:.2g}" if v.ours_spread is not None else ""),
        "diff": "—" if v.diff is None else f"{v.diff:+.3g}" + ("" if v.lo is None else f" [{v.lo:+.3g}, {v.hi:+.3g}]"),
        "p": "—" if v.p is None else f"{v.p:.3g}" + ("" if v.p_adjusted is None else f" ({v.p_adjusted:.3g})"),
        "margin": "—" if v.margin is None else f"±{v.margin:.3g}",
    }


def references_markdown(store: str, comparisons: list[Comparison]) -> str:
    """The verdicts as markdown tables, one per published table (reports/*/verdicts.md are this)."""
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    out = [f"# Published rows beside ours: {cell(store)}", "",
           "worse / better = Welch p < 0.05 after Holm over the judged cells; consistent = TOST within the margin; "
           "regenerate with `ganbench check STORE --references --markdown FILE`", ""]
    current = None
    for c in comparisons:
        r, v = c.ref, c.verdict
        title = f"{r.paper}, {r.table}"
        if title != current:
            current = title
            out += ["", f"**{cell(title)}**", "",
                    "| row | metric | paper | ours (mean ± spread, n) | ours − paper [95% CI] | margin | p (Holm) | verdict |",
                    "|---|---|---|---|---|---|---|---|"]
        f = verdict_cells(c)
        ours = f["ours"] if v.ours_mean is None else f"{f['ours']} (n={v.ours_n})"
        out.append(f"| {cell(r.row)} | {cell(r.metric)} | {f['paper']} | {ours} | {f['diff']} | {f['margin']} | {f['p']} | "
                   f"{cell(v.label)} |")
    return "\n".join(out) + "\n"


def check_references(store: str, markdown: str | None = None, append: bool = False) -> int:
    """Our runs against the suite's published rows: 1 if any is worse at the paper's budget."""
    from rich.markup import escape
    from rich.table import Table

    from ganbench.analyse.references import compare_store, tables_from_metas
    from ganbench.record.store import StoreError
    from ganbench.report.load import load_stores

    try:
        with load_stores(store) as data:
            tables = tables_from_metas(data.metas)
            comparisons = compare_store(data.runs, data.metrics, tables, data.metas)
    except StoreError as exc:
        print_error(str(exc))
        return 2
    if not tables:
        print_error(f"{store}: the suite has no `references:` to compare with (docs/references.md)")
        return 2
    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title="published results beside ours (worse = Welch p < 0.05 after Holm over the judged cells; "
                  "consistent = TOST within the margin)")
    for col in ("paper", "row", "dataset", "pack", "metric", "paper ±", "ours ±", "ours - paper [95% CI]", "margin",
                "p (Holm)", "verdict"):
        table.add_column(col, justify="left" if col in ("paper", "row", "dataset", "metric", "verdict") else "right")
    colour = {"worse": "red", "better": "blue", "consistent": "green", "protocol differs": "yellow", "inconclusive": "magenta"}
    for c in comparisons:
        r, v = c.ref, c.verdict
        f = verdict_cells(c)
        label = escape(v.label)
        table.add_row(escape(f"{r.paper} {r.table}"), escape(r.row), escape(r.dataset), str(r.pack), escape(r.metric),
                      f["paper"], f["ours"], f["diff"], f["margin"], f["p"],
                      f"[{colour[v.kind]}]{label}[/]" if v.kind in colour else label)
    console.print(table)
    if markdown:
        from pathlib import Path

        from ganbench.plan.outpath import describe_os_error
        from ganbench.util.atomic import write_text_atomic

        text = references_markdown(store, comparisons)
        try:
            before = Path(markdown).read_text(encoding="utf-8") + "\n" if append and Path(markdown).is_file() else ""
            write_text_atomic(markdown, before + text, mode=0o644)  # a summary is meant to be shared
        except OSError as exc:
            print_error(describe_os_error(exc))
            return 2
    worse = [c for c in comparisons if c.verdict.gating]
    judged = sum(c.verdict.kind in ("consistent", "inconclusive", "better", "worse") for c in comparisons)
    if worse:
        console.print(f"[red]{len(worse)} of {len(comparisons)} published cells beaten by the paper beyond noise "
                      f"(Holm over {judged} judged cells) at the paper's protocol[/]")
        return 1
    console.print(f"{judged} of {len(comparisons)} cells judged at the paper's protocol, none worse than the paper "
                  "after Holm's correction")
    return 0
